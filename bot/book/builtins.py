"""Barta's built-in intents: what ``- use: <name>`` in flows.yaml brings.

Each built-in is its match words in Bangla, English and romanized Bangla (compiled with
``norm.compile_keywords``: a one-word entry matches that word, its Bangla stem or a close
romanized spelling anywhere in a message; a several-word entry matches those words next
to each other), a default action and default texts. The owner may add ``match:`` words and
set ``say:``, ``do:`` and ``priority:`` as for any intent.

How the words were chosen: real phrasing of Bangladeshi f-commerce customers. Bare
answers to the bot's own questions ("bkash", "cash on delivery", "ঢাকা", "শাড়ি") must not
trigger a built-in, so cod, delivery and payment_done match a question or a past-tense verb
("cod hobe?", "bkash korsi"), never the method's name alone.

Overlaps, on purpose: complaint and angry share messages that are both ("ফালতু প্রোডাক্ট,
রং উঠে গেছে"; "মেজাজ খারাপ"): both hand off with high priority, so either wins the same
way. order_status and delivery are declared to overlap too, though the test messages keep
them apart: "কবে পাবো" (even after "অর্ডার দিলাম") is delivery time, and only words about
an existing order or parcel ("পার্সেল এখনো পাইনি", "order kothay") are order status.

Order: "জামদানিটাই নেব", "অর্ডার করতে চাই", "order korbo", "I'll take the katan". Single
verbs ("নেব", "kinbo") match anywhere, so the conversation turns down what only looks like
an order (``ORDER_NOT_*``, ``ORDER_LATER``: "নেব না", "পরে নেব", "কত নিবে?") and lets an
answer to the waiting question win; the conversation, not this table, picks the order flow.

Placeholders: the cod and delivery texts use ``{delivery_charge}``, ``{delivery_time}`` or
``{cod}`` only when the book's settings define them (``say_when``); otherwise the generic
``say``, which is true for any shop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

Text = Mapping[str, str]  # language -> text


def _t(bn: str, en: str) -> Text:
    return MappingProxyType({"bn": bn, "en": en})


@dataclass(frozen=True)
class Builtin:
    name: str
    match: tuple[str, ...]
    say: Text | None  # the default text; None: the action's own default text
    do: str | None = None  # an INTENT_ACTIONS word (handoff, opt_out) or None: say only
    priority: str = "normal"  # handoff priority
    stage: str | None = None  # move the lead to this stage (if the move is legal)
    capture: str | None = None  # "payment_ref": save a transaction id / last digits
    # (settings names that must all be defined, text): the first that holds replaces say
    say_when: tuple[tuple[tuple[str, ...], Text], ...] = ()

    def default_say(self, settings: Mapping[str, object]) -> Text | None:
        """The say text for a book whose settings (placeholders) are ``settings``."""
        for names, text in self.say_when:
            if all(settings.get(n) not in (None, "") for n in names):
                return text
        return self.say


# fmt: off
COMPLAINT = Builtin(
    name="complaint",
    match=(
        # return, exchange, refund
        "return", "ফেরত", "ferot", "ferat", "ferod", "ফেরত দিতে চাই", "ফেরত নিবেন",
        "exchange", "এক্সচেঞ্জ", "বদলাতে", "বদলে দিন", "বদলে দেন", "বদলানো", "পাল্টে দিন",
        "change korte chai", "change kore den", "bodlate chai", "bodle den", "bodle din",
        "refund", "রিফান্ড", "টাকা ফেরত", "taka ferot", "money back",
        # damaged, faulty, wrong item
        "damaged", "damage", "ড্যামেজ", "নষ্ট", "nosto", "noshto", "ছেঁড়া", "ছিঁড়ে গেছে",
        "ফাটা", "ফেটে গেছে", "ভাঙা", "ভেঙে গেছে", "broken", "torn", "defective", "faulty",
        "kharap", "খারাপ", "kapor kharap", "কাপড় খারাপ", "quality kharap", "মান খারাপ",
        "রং উঠে", "রং উঠে গেছে", "রং চলে গেছে", "rong uthe geche", "rong uthe", "color faded",
        "wrong item", "wrong product", "wrong size", "wrong color", "ভুল পণ্য", "ভুল প্রোডাক্ট",
        "ভুল জিনিস", "ভুল সাইজ", "ভুল কালার", "vul product", "bhul product",
        "অন্য জিনিস দিয়েছেন", "অন্য প্রোডাক্ট দিয়েছেন", "onno product diyechen",
        "ছবির সাথে মিল নেই", "ছবির সাথে মিলে না", "chobir sathe mil nai", "not as shown",
        "not same as picture", "different from picture",
        # size problems
        "সাইজ মেলেনি", "মেলেনি", "সাইজ হয়নি", "সাইজ হয় নাই", "সাইজ ছোট", "সাইজ বড়",
        "সাইজ ঠিক হয়নি", "size choto", "size boro", "size mile nai", "size hoy nai",
        "size problem", "size issue", "size milche na", "doesn't fit", "does not fit",
        # complaint words
        "complain", "complaint", "অভিযোগ", "কমপ্লেইন", "problem ache", "সমস্যা হয়েছে",
        "প্রবলেম", "problem hoise",
    ),
    say=_t(
        "শুনে সত্যিই দুঃখিত। আমাদের একজন প্রতিনিধি বিষয়টি দেখে আপনাকে জানাবেন।",
        "We are really sorry to hear that. A team member will look into it and get back "
        "to you.",
    ),
    do="handoff",
    priority="high",
)

ORDER_STATUS = Builtin(
    name="order_status",
    match=(
        "order status", "অর্ডার স্ট্যাটাস", "অর্ডারের কী অবস্থা", "অর্ডারের কি অবস্থা",
        "অর্ডার কোথায়", "অর্ডার কই", "order kothay", "order koi", "order er ki obostha",
        "order ki obostha", "where is my order", "where is my parcel", "parcel kothay",
        "parcel koi", "পার্সেল কোথায়", "পার্সেল কই", "পার্সেল কবে আসবে", "parcel kobe asbe",
        "অর্ডার কবে আসবে", "order kobe asbe", "পাইনি", "এখনো পাইনি", "এখনও পাইনি",
        "পাই নাই", "পাইনাই", "paini", "pai nai", "pailam na", "এখনো আসেনি", "আসেনি",
        "আসে নাই", "ashe nai", "ase nai", "not received", "haven't received",
        "have not received", "didn't receive", "did not receive", "not delivered yet",
        "tracking", "ট্র্যাকিং", "track my order", "ট্র্যাক", "কুরিয়ারে দিয়েছেন",
        "courier e diyechen", "পাঠিয়েছেন কি", "পাঠানো হয়েছে কি", "pathaisen ki", "pathiyechen ki",
        "কবে পাঠাবেন", "kobe pathaben", "when will you ship", "shipped", "dispatch",
        "অর্ডার কনফার্ম হয়েছে", "order confirm hoyeche", "order confirm hoise",
    ),
    say=_t(
        "আপনার অর্ডারের খোঁজ নিচ্ছি। আমাদের একজন প্রতিনিধি শিগগিরই জানাবেন।",
        "Let us check on your order. A team member will update you shortly.",
    ),
    do="handoff",
)

PAYMENT_DONE = Builtin(
    name="payment_done",
    match=(
        "টাকা পাঠিয়েছি", "টাকা পাঠালাম", "টাকা পাঠাইছি", "টাকা পাঠিয়ে দিয়েছি", "টাকা দিয়েছি",
        "taka pathaisi", "taka pathiyechi", "taka pathalam", "taka pathiye disi", "taka dilam",
        "taka disi", "payment done", "payment korsi", "payment korechi", "payment korlam",
        "payment kore disi", "payment diyechi", "payment disi", "পেমেন্ট করেছি", "পেমেন্ট করলাম",
        "পেমেন্ট দিয়েছি", "পেমেন্ট করে দিয়েছি", "পেমেন্ট ডান", "পেমেন্ট সম্পন্ন",
        "বিকাশ করেছি", "বিকাশ করলাম", "বিকাশ করে দিয়েছি", "বিকাশ করছি", "বিকাশে পাঠিয়েছি",
        "bkash korsi", "bkash korlam", "bkash korechi", "bkash kore disi", "bikash korsi",
        "নগদ করেছি", "নগদে পাঠিয়েছি", "nagad korsi", "nagad korlam", "রকেট করেছি",
        "rocket korsi", "send money korsi", "সেন্ড মানি করেছি", "i have paid", "i paid",
        "already paid", "paid", "sent the money", "money sent", "sent money", "trxid",
        "trx id", "transaction id", "ট্রানজেকশন আইডি", "advance দিয়েছি", "advance dilam",
        "advance disi", "অ্যাডভান্স দিয়েছি", "অ্যাডভান্স করেছি", "অগ্রিম দিয়েছি",
        "অগ্রিম পাঠিয়েছি", "bkash e pathaisi", "bkash e pathalam", "bkash e pathiyechi",
        "bikash e pathaisi", "nagad e pathaisi", "nagad e pathalam", "বিকাশে পাঠালাম",
        "নগদে পাঠালাম", "send korsi", "send korechi", "send kore disi", "সেন্ড করেছি",
        "সেন্ড করলাম", "সেন্ড করে দিয়েছি",
    ),
    say=_t(
        "ধন্যবাদ! পেমেন্টটি মিলিয়ে দেখে আমরা অর্ডার কনফার্ম করে জানাব।",
        "Thank you! We will check the payment and confirm your order.",
    ),
    do="handoff",
    capture="payment_ref",
)

DISCOUNT = Builtin(
    name="discount",
    match=(
        "discount", "ডিসকাউন্ট", "ছাড়", "ছাড় আছে", "কোনো ছাড়", "ছাড় দিবেন", "ছাড় হবে",
        "dam kom", "dam kom hobe", "dam komano jay", "dam beshi", "dam besi", "দাম কম",
        "দাম বেশি", "দাম বেশী", "দাম কমানো", "দাম কমাবেন", "একটু কম", "কম রাখা যায়",
        "কম হবে", "কম করেন", "কমানো যাবে", "কমিয়ে দিন", "কমিয়ে দেন", "kom hobe", "kom koren",
        "kom rakha jay", "komano jabe", "ektu kom", "komiye den", "last price", "লাস্ট প্রাইস",
        "fixed price", "ফিক্সড প্রাইস", "লাস্ট কত", "last koto", "শেষ দাম", "shesh dam",
        "best price", "too expensive", "expensive", "price is high", "price beshi",
        "reduce the price", "less price", "negotiable", "bargain", "offer ache", "কোনো অফার",
        "অফার আছে", "any offer", "coupon", "promo code", "কুপন",
    ),
    say=_t(
        "আমরা দাম এমনিতেই যতটা সম্ভব কম রাখি 😊 আপনার বাজেট জানালে দেখি কী করা যায়।",
        "We already keep our prices as low as we can 😊 Tell us your budget and we will "
        "see what we can do.",
    ),
    stage="negotiation",
)

COD = Builtin(
    name="cod",
    match=(
        "cod hobe", "cod ache", "cod available", "cod possible", "cod den", "cod dea jabe",
        "cash on delivery hobe", "cash on delivery ache", "cash on delivery available",
        "is cash on delivery", "do you have cash on delivery", "do you offer cash on delivery",
        "ক্যাশ অন ডেলিভারি হবে", "ক্যাশ অন ডেলিভারি আছে", "ক্যাশ অন ডেলিভারি দেন",
        "ক্যাশ অন ডেলিভারি করা যাবে", "ক্যাশ অন ডেলিভারি সুবিধা", "কন্ডিশন হবে",
        "হাতে পেয়ে টাকা", "পণ্য হাতে পেয়ে", "প্রোডাক্ট হাতে পেয়ে", "হাতে পাওয়ার পর টাকা",
        "hate peye taka", "product hate peye", "pay on delivery", "pay after delivery",
        "টাকা পরে দিব", "আগে টাকা দিতে হবে", "advance dite hobe", "অগ্রিম দিতে হবে",
        "advance lagbe", "অ্যাডভান্স লাগবে", "advance payment lagbe",
    ),
    say=_t(
        "পেমেন্ট কীভাবে করবেন — ক্যাশ অন ডেলিভারি নাকি অগ্রিম — তা অর্ডার কনফার্ম করার সময় "
        "জানিয়ে দেব 😊",
        "We will tell you the payment options (cash on delivery or advance) when we confirm "
        "your order 😊",
    ),
    say_when=((("cod",), _t("{cod}", "{cod}")),),
)

DELIVERY = Builtin(
    name="delivery",
    match=(
        "delivery charge", "ডেলিভারি চার্জ", "ডেলিভারি খরচ", "delivery cost", "delivery fee",
        "shipping cost", "shipping charge", "delivery koto", "ডেলিভারি কত", "charge koto",
        "চার্জ কত", "কত দিনে পাবো", "কত দিনে পাব", "কয় দিনে পাবো", "কয়দিন লাগবে",
        "কয় দিন লাগবে", "কত দিন লাগবে", "কতদিন লাগবে", "koto din lagbe", "koydin lagbe",
        "koy din lagbe", "kotodin lagbe", "kobe pabo", "kobe pabo", "কবে পাবো", "কবে পাব",
        "কবে পৌঁছাবে", "kobe pouchabe", "delivery time", "how long delivery",
        "how long will delivery take", "how many days", "when will i get", "home delivery",
        "হোম ডেলিভারি", "ঢাকার বাইরে ডেলিভারি", "ঢাকার বাইরে পাঠান", "dhakar baire delivery",
        "outside dhaka delivery", "delivery den", "ডেলিভারি দেন", "do you deliver", "courier charge", "কুরিয়ার চার্জ",
    ),
    say=_t(
        "ডেলিভারি চার্জ আর সময় আপনার ঠিকানার ওপর নির্ভর করে। এলাকাটা জানালে সঠিকটা জানিয়ে দেব 😊",
        "The delivery charge and time depend on where you are. Tell us your area and we "
        "will let you know 😊",
    ),
    say_when=(
        (
            ("delivery_charge", "delivery_time"),
            _t(
                "ডেলিভারি চার্জ {delivery_charge}। পৌঁছাতে সাধারণত {delivery_time} লাগে।",
                "Delivery charge: {delivery_charge}. It usually takes {delivery_time}.",
            ),
        ),
        (
            ("delivery_charge",),
            _t(
                "ডেলিভারি চার্জ {delivery_charge}।",
                "Delivery charge: {delivery_charge}.",
            ),
        ),
        (
            ("delivery_time",),
            _t(
                "পৌঁছাতে সাধারণত {delivery_time} লাগে। চার্জ ঠিকানার ওপর নির্ভর করে।",
                "It usually takes {delivery_time}; the charge depends on your address.",
            ),
        ),
    ),
)

HUMAN = Builtin(
    name="human",
    match=(
        "human", "agent", "real person", "a person", "representative", "live agent",
        "talk to someone", "talk to a person", "not a bot", "manush", "manusher sathe",
        "মানুষ", "মানুষের সাথে", "প্রতিনিধি", "কথা বলতে চাই", "কারো সাথে কথা বলতে চাই",
        "কল দিন", "কল দেন", "কল করেন", "ফোন দিন", "ফোন দেন", "ফোন করেন", "call me",
        "call den", "call diyen", "phone den", "admin", "এডমিন", "অ্যাডমিন", "manager",
        "ম্যানেজার", "বটের সাথে না", "বট না", "owner", "মালিক",
    ),
    say=_t(
        "জি, আমাদের একজন প্রতিনিধি শিগগিরই আপনার সাথে কথা বলবেন।",
        "Sure, a team member will be with you shortly.",
    ),
    do="handoff",
)

STOP = Builtin(
    name="stop",
    match=(
        "stop", "unsubscribe", "বন্ধ করুন", "বন্ধ করেন", "মেসেজ দেওয়া বন্ধ", "মেসেজ দেয়া বন্ধ",
        "আর মেসেজ দিবেন না", "আর মেসেজ দেবেন না", "মেসেজ দিবেন না", "মেসেজ দিয়েন না",
        "message diben na", "msg diben na", "msg diyen na", "message dien na",
        "don't message me", "do not message me", "stop messaging", "no more messages",
        "বিরক্ত করবেন না", "disturb korben na", "don't disturb",
    ),
    say=_t(
        "ঠিক আছে, আমরা আর নিজে থেকে মেসেজ পাঠাব না। দরকার হলে যেকোনো সময় লিখবেন।",
        "All right, we won't message you on our own again. Write to us any time you need.",
    ),
    do="opt_out",
)

THANKS = Builtin(
    name="thanks",
    match=(
        "ধন্যবাদ", "শুকরিয়া", "জাযাকাল্লাহ", "জাজাকাল্লাহ", "থ্যাংকস", "thanks", "thank you",
        "thank u", "thanku", "thnx", "tnx", "thx", "dhonnobad", "donnobad", "dhonyobad",
        "shukriya", "jazakallah",
    ),
    say=_t("আপনাকেও ধন্যবাদ! 😊", "You're welcome! 😊"),
)

GREETING = Builtin(
    name="greeting",
    match=(
        "hi", "hello", "hellow", "hlw", "hey", "হাই", "হ্যালো", "হেলো", "good morning",
        "good evening", "good afternoon", "শুভ সকাল", "শুভ সন্ধ্যা", "শুভ দুপুর",
    ),
    say=_t("হ্যালো! 😊 বলুন, কীভাবে সাহায্য করতে পারি?", "Hello! 😊 How can we help you?"),
)

ANGRY = Builtin(
    name="angry",
    match=(
        "অসহ্য", "ফালতু", "বাজে", "জঘন্য", "বাটপার", "বাটপারি", "প্রতারক", "প্রতারণা", "ধোকা",
        "ধোঁকা", "ধোকাবাজ", "ঠকবাজ", "ঠকাইছেন", "ঠকিয়েছেন", "ধান্দাবাজ", "চোর", "চিটার",
        "ভুয়া", "ফেক পেজ", "ফ্রড", "স্ক্যাম", "বেয়াদব", "বিরক্তিকর", "মেজাজ খারাপ",
        "faltu", "baje", "batpar", "batpari", "protarok", "dhoka", "thokaisen", "chor",
        "vua", "bhua", "fake page", "worst", "fraud", "scam", "scammer", "cheat", "cheater",
        "cheating", "bullshit", "rubbish", "nonsense", "ridiculous", "pathetic", "disgusting",
        "useless", "terrible", "horrible", "bad service", "worst service",
        "উত্তর দেন না কেন", "রিপ্লাই দেন না কেন", "রিপ্লাই দিচ্ছেন না", "কেউ উত্তর দেয় না",
        "reply den na keno", "reply dicchen na", "uttor den na keno", "why no reply",
        "ভোক্তা অধিকার", "রিপোর্ট করব", "report korbo", "মামলা করব",
    ),
    say=_t(
        "আপনার অসুবিধার জন্য আমরা আন্তরিকভাবে দুঃখিত। আমাদের একজন প্রতিনিধি বিষয়টি দেখে "
        "আপনার সাথে কথা বলবেন।",
        "We are truly sorry for the trouble. A team member will take this up and talk "
        "to you.",
    ),
    do="handoff",
    priority="high",
)

ORDER = Builtin(
    name="order",
    match=(
        # Bangla script: "জামদানিটাই নেব", "অর্ডার করতে চাই"
        "নেব", "নেবো", "নিব", "নিবো", "নিমু", "নিয়ে নেব", "নিতে চাই", "নিতে চাচ্ছি",
        "কিনব", "কিনবো", "কিনমু", "কিনতে চাই", "কিনতে চাচ্ছি", "অর্ডার করব", "অর্ডার করবো",
        "অর্ডার করমু", "অর্ডার করতে চাই", "অর্ডার করতে চাচ্ছি", "অর্ডার করতে চাচ্ছিলাম",
        "অর্ডার দিতে চাই", "অর্ডার দেব", "অর্ডার দেবো", "অর্ডার দিব", "অর্ডার দিবো",
        "অর্ডার করা যাবে", "অর্ডার নিন", "অর্ডার নেন",
        # romanized
        "nibo", "nebo", "nimu", "kinbo", "kinmu", "nite chai", "kinte chai", "nite chacchi",
        "order korbo", "order korte chai", "order korte chacchi", "order dite chai",
        "order dibo", "order debo", "order kora jabe", "order nen",
        # English
        "i'll take", "i will take", "i'll buy", "i will buy", "i want to buy",
        "i'd like to buy", "i would like to buy", "want to buy", "i want to order",
        "i'd like to order", "i would like to order", "want to order", "i'll order",
        "i will order", "order please", "place an order", "place order", "how to order",
        "how do i order", "how can i order",
    ),
    say=_t(
        "জি, অর্ডারটি নিতে আমাদের একজন প্রতিনিধি শিগগিরই আপনার সাথে কথা বলবেন।",
        "Sure, a team member will be with you shortly to take your order.",
    ),
)
# Words that turn the order words down: "নেব না", "I don't want to order", "পরে নেব".
# After the order words (within two): not; before them (within three): not, don't, won't.
# Anywhere: later. Third-person forms ("কত নিবে?": how much will it cost) are no order.
ORDER_NOT_AFTER = ("না", "নাহ", "নয়", "নাই", "na", "naa", "nah", "look")  # "I'll take a look"
ORDER_NOT_BEFORE = ("not", "don", "dont", "won", "wont", "never", "didn", "didnt")
ORDER_LATER = ("পরে", "পরবর্তীতে", "pore", "later")
ORDER_NOT_MINE = ("নিবে", "নেবে", "কিনবে")

# fmt: on

BUILTINS: Mapping[str, Builtin] = MappingProxyType(
    {
        b.name: b
        for b in (
            COMPLAINT,
            ORDER_STATUS,
            PAYMENT_DONE,
            DISCOUNT,
            COD,
            DELIVERY,
            HUMAN,
            STOP,
            THANKS,
            GREETING,
            ANGRY,
            ORDER,
        )
    }
)
# Pairs of built-ins that may claim the same message (see the module docstring).
OVERLAPS = frozenset({frozenset({"complaint", "angry"}), frozenset({"order_status", "delivery"})})
