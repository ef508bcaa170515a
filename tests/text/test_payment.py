"""Tests for bot/text/payment.py: transaction ids and last digits of the sending number."""

import pytest

from bot.text.payment import PaymentRef, parse_payment_ref


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("টাকা পাঠিয়েছি, শেষের ৪ সংখ্যা ৪৫৬৭", PaymentRef("last_digits", "4567")),
        ("last 4 digit 4567", PaymentRef("last_digits", "4567")),
        ("shesh 3 digit 789", PaymentRef("last_digits", "789")),
        ("বিকাশ করেছি, শেষ ৪ ডিজিট ১২৩৪", PaymentRef("last_digits", "1234", "bkash")),
        ("nagad theke pathaisi last digit 5566", PaymentRef("last_digits", "5566", "nagad")),
        ("number er shesh 4 ta 9087", PaymentRef("last_digits", "9087")),
        ("Last digits: 4321", PaymentRef("last_digits", "4321")),
        ("শেষের চারটা নম্বর ৭৮৯০", PaymentRef("last_digits", "7890")),
        ("রকেটে দিয়েছি, নাম্বারের শেষে ৫৫", PaymentRef("last_digits", "55", "rocket")),
        ("01711223344 theke dilam, last 4 digit 3344", PaymentRef("last_digits", "3344")),
        ("TrxID 8N7A6B5C4D", PaymentRef("trx_id", "8N7A6B5C4D")),
        ("bkash korsi trxid 8n7a6b5c4d", PaymentRef("trx_id", "8N7A6B5C4D", "bkash")),
        ("8N7A6B5C4D", PaymentRef("trx_id", "8N7A6B5C4D")),
        ("বিকাশে পাঠালাম, TrxID: AJ40XY1234", PaymentRef("trx_id", "AJ40XY1234", "bkash")),
        ("nagad TxnID 7HG2K9LQ", PaymentRef("trx_id", "7HG2K9LQ", "nagad")),
        ("নগদে দিয়েছি 7HG2K9LQ", PaymentRef("trx_id", "7HG2K9LQ", "nagad")),
        ("rocket txn 1234567890", PaymentRef("trx_id", "1234567890", "rocket")),
        ("ট্রানজেকশন আইডি ৯৮৭৬৫৪৩২১০", PaymentRef("trx_id", "9876543210")),
        (
            "You have received Tk 500.00 from 01711223344. Fee Tk 0.00. TrxID 9C5A2X1Y7R at 01/12/2026",
            PaymentRef("trx_id", "9C5A2X1Y7R"),
        ),
        ("payment done. BGH7K2L9PQ", PaymentRef("trx_id", "BGH7K2L9PQ")),
        ("Rocket e dilam, ref 1A2B3C4D5E6F", PaymentRef("trx_id", "1A2B3C4D5E6F", "rocket")),
    ],
)
def test_payment_refs_are_found(text, expected):
    assert parse_payment_ref(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "01711223344",  # a phone number alone is not a payment ref
        "০১৭১১২২৩৩৪৪",
        "২৫ হাজার",
        "5000 taka pathaisi",
        "bkash e 5000 dilam",
        "টাকা পাঠিয়েছি",
        "৪৫৬৭",  # bare digits only when the question asked for them
        "last time 500 taka dilam",
        "samsung a52 ache?",
        "iphone13 dam koto",
        "জামদানি শাড়ি",
        "BGHKLMPQRS",  # letters only: a word, not an id
        "",
        "👍",
    ],
)
def test_other_messages_are_not_payment_refs(text):
    assert parse_payment_ref(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("৪৫৬৭", PaymentRef("last_digits", "4567")),
        ("4567", PaymentRef("last_digits", "4567")),
        ("789 bkash", PaymentRef("last_digits", "789", "bkash")),
        ("1234567890", PaymentRef("trx_id", "1234567890")),
        ("A1B2C3D4", PaymentRef("trx_id", "A1B2C3D4")),
    ],
)
def test_bare_answers_count_when_a_reference_was_asked_for(text, expected):
    assert parse_payment_ref(text, expecting=True) == expected


@pytest.mark.parametrize("text", ["01711223344", "৫০০০ টাকা", "2 hajar", "ok"])
def test_expecting_still_refuses_phones_and_amounts(text):
    assert parse_payment_ref(text, expecting=True) is None
