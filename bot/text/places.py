"""Bangladesh's 8 divisions and 64 districts, and Dhaka's city areas and suburbs, as data.

English names are the official spellings since 2018 (Chattogram, Cumilla, Barishal, Jashore,
Bogura). Other spellings are space-separated and written without inner spaces: matching
joins adjacent words, so ``coxsbazar`` also matches "Cox's Bazar" and "cox bazar". Bangla
spellings that differ only in ি/ী, ু/ূ, ণ/ন, স/শ/ষ, aspiration, ড়/র or a chandrabindu need
no entry: ``bot.text.districts`` folds those away on both sides.
"""

from __future__ import annotations

INSIDE_DHAKA = "inside_dhaka"
DHAKA_SUBURB = "dhaka_suburb"
OUTSIDE_DHAKA = "outside_dhaka"
ZONES = (INSIDE_DHAKA, DHAKA_SUBURB, OUTSIDE_DHAKA)

# English → Bangla.
DIVISIONS: dict[str, str] = {
    "Dhaka": "ঢাকা",
    "Chattogram": "চট্টগ্রাম",
    "Rajshahi": "রাজশাহী",
    "Khulna": "খুলনা",
    "Barishal": "বরিশাল",
    "Sylhet": "সিলেট",
    "Rangpur": "রংপুর",
    "Mymensingh": "ময়মনসিংহ",
}

# (English name, Bangla name, division, other spellings)
DISTRICTS: tuple[tuple[str, str, str, str], ...] = (
    # Dhaka division: 13
    ("Dhaka", "ঢাকা", "Dhaka", "daka dacca dhk"),
    ("Faridpur", "ফরিদপুর", "Dhaka", "foridpur"),
    ("Gazipur", "গাজীপুর", "Dhaka", "gajipur"),
    ("Gopalganj", "গোপালগঞ্জ", "Dhaka", "gopalgonj gopalgong"),
    ("Kishoreganj", "কিশোরগঞ্জ", "Dhaka", "kishorganj kishoregonj kishorgonj kisorgonj"),
    ("Madaripur", "মাদারীপুর", "Dhaka", "madaripoor"),
    ("Manikganj", "মানিকগঞ্জ", "Dhaka", "manikgonj"),
    ("Munshiganj", "মুন্সিগঞ্জ", "Dhaka", "munshigonj munsiganj munsigonj bikrampur বিক্রমপুর"),
    ("Narayanganj", "নারায়ণগঞ্জ", "Dhaka", "narayangonj narayngonj naraongonj narangonj nganj ngonj"),
    ("Narsingdi", "নরসিংদী", "Dhaka", "norsingdi norshingdi narshingdi narsindi"),
    ("Rajbari", "রাজবাড়ী", "Dhaka", "rajbary"),
    ("Shariatpur", "শরীয়তপুর", "Dhaka", "shariyatpur shoriotpur soriotpur shoriatpur"),
    ("Tangail", "টাঙ্গাইল", "Dhaka", "tangil টাংগাইল"),
    # Chattogram division: 11
    ("Bandarban", "বান্দরবান", "Chattogram", "bandorban bandarbon bandorbon"),
    ("Brahmanbaria", "ব্রাহ্মণবাড়িয়া", "Chattogram", "brahmonbaria bramonbaria brahmanbariya bbaria বিবাড়িয়া"),
    ("Chandpur", "চাঁদপুর", "Chattogram", "chadpur"),
    ("Chattogram", "চট্টগ্রাম", "Chattogram", "chittagong chitagong chittagang chottogram chatgaon chatgram ctg চিটাগাং চট্রগ্রাম চাটগাঁ"),
    ("Cox's Bazar", "কক্সবাজার", "Chattogram", "coxbazar coxesbazar koksbazar cox"),
    ("Cumilla", "কুমিল্লা", "Chattogram", "comilla kumilla comila kumila"),
    ("Feni", "ফেনী", "Chattogram", ""),
    ("Khagrachhari", "খাগড়াছড়ি", "Chattogram", "khagrachari khagrachori khagrachhori"),
    ("Lakshmipur", "লক্ষ্মীপুর", "Chattogram", "laxmipur lakhsmipur lokkhipur lokkipur লক্ষীপুর"),
    ("Noakhali", "নোয়াখালী", "Chattogram", "noakali nowakhali"),
    ("Rangamati", "রাঙ্গামাটি", "Chattogram", "rangamate রাঙামাটি"),
    # Rajshahi division: 8
    ("Bogura", "বগুড়া", "Rajshahi", "bogra bagura"),
    ("Chapai Nawabganj", "চাঁপাইনবাবগঞ্জ", "Rajshahi", "chapainababganj chapainawabgonj chapai চাঁপাই"),
    ("Joypurhat", "জয়পুরহাট", "Rajshahi", "jaipurhat joipurhat"),
    ("Naogaon", "নওগাঁ", "Rajshahi", "nogaon naogao naoga"),
    ("Natore", "নাটোর", "Rajshahi", "nator"),
    ("Pabna", "পাবনা", "Rajshahi", ""),
    ("Rajshahi", "রাজশাহী", "Rajshahi", "rajshai rajsahi"),
    ("Sirajganj", "সিরাজগঞ্জ", "Rajshahi", "sirajgonj serajganj serajgonj"),
    # Khulna division: 10
    ("Bagerhat", "বাগেরহাট", "Khulna", ""),
    ("Chuadanga", "চুয়াডাঙ্গা", "Khulna", "চুয়াডাঙা"),
    ("Jashore", "যশোর", "Khulna", "jessore jashor josor jossore jeshore jassore"),
    ("Jhenaidah", "ঝিনাইদহ", "Khulna", "jhenaidaha jhinaidah jhinaidaho jhenidah"),
    ("Khulna", "খুলনা", "Khulna", ""),
    ("Kushtia", "কুষ্টিয়া", "Khulna", "kustia kushtiya"),
    ("Magura", "মাগুরা", "Khulna", ""),
    ("Meherpur", "মেহেরপুর", "Khulna", ""),
    ("Narail", "নড়াইল", "Khulna", "norail"),
    ("Satkhira", "সাতক্ষীরা", "Khulna", "shatkhira"),
    # Barishal division: 6
    ("Barguna", "বরগুনা", "Barishal", "borguna"),
    ("Barishal", "বরিশাল", "Barishal", "barisal borishal borisal"),
    ("Bhola", "ভোলা", "Barishal", ""),
    ("Jhalokati", "ঝালকাঠি", "Barishal", "jhalokathi jhalakathi jhalakati jhalkathi jhalkati"),
    ("Patuakhali", "পটুয়াখালী", "Barishal", "potuakhali"),
    ("Pirojpur", "পিরোজপুর", "Barishal", "perojpur"),
    # Sylhet division: 4
    ("Habiganj", "হবিগঞ্জ", "Sylhet", "hobiganj hobigonj habigonj"),
    ("Moulvibazar", "মৌলভীবাজার", "Sylhet", "maulvibazar moulovibazar molvibazar"),
    ("Sunamganj", "সুনামগঞ্জ", "Sylhet", "sunamgonj"),
    ("Sylhet", "সিলেট", "Sylhet", "shylet"),
    # Rangpur division: 8
    ("Dinajpur", "দিনাজপুর", "Rangpur", ""),
    ("Gaibandha", "গাইবান্ধা", "Rangpur", "gaibanda"),
    ("Kurigram", "কুড়িগ্রাম", "Rangpur", ""),
    ("Lalmonirhat", "লালমনিরহাট", "Rangpur", "lalmanirhat"),
    ("Nilphamari", "নীলফামারী", "Rangpur", ""),
    ("Panchagarh", "পঞ্চগড়", "Rangpur", "ponchogor ponchogarh panchagar"),
    ("Rangpur", "রংপুর", "Rangpur", "rongpur"),
    ("Thakurgaon", "ঠাকুরগাঁও", "Rangpur", "thakurgao"),
    # Mymensingh division: 4
    ("Jamalpur", "জামালপুর", "Mymensingh", ""),
    ("Mymensingh", "ময়মনসিংহ", "Mymensingh", "moymonsingh maimansingh mymenshingh moimonsingh ময়মনসিং"),
    ("Netrokona", "নেত্রকোণা", "Mymensingh", "netrakona"),
    ("Sherpur", "শেরপুর", "Mymensingh", ""),
)  # fmt: skip

# Districts whose bare name means the Dhaka suburbs: couriers charge their city (Gazipur
# city with Tongi, Narayanganj city) at the suburb rate, and that is where most answers
# naming them come from.
SUBURB_DISTRICTS = frozenset({"Gazipur", "Narayanganj"})

# (English name, Bangla name, district, zone, other spellings)
AREAS: tuple[tuple[str, str, str, str, str], ...] = (
    # Dhaka North City Corporation
    ("Mirpur", "মিরপুর", "Dhaka", INSIDE_DHAKA, "mirpor"),
    ("Pallabi", "পল্লবী", "Dhaka", INSIDE_DHAKA, "pollobi"),
    ("Kafrul", "কাফরুল", "Dhaka", INSIDE_DHAKA, ""),
    ("Kazipara", "কাজীপাড়া", "Dhaka", INSIDE_DHAKA, ""),
    ("Shewrapara", "শেওড়াপাড়া", "Dhaka", INSIDE_DHAKA, "sheorapara sewrapara"),
    ("Agargaon", "আগারগাঁও", "Dhaka", INSIDE_DHAKA, "agargao"),
    ("Sher-e-Bangla Nagar", "শেরেবাংলা নগর", "Dhaka", INSIDE_DHAKA, "sherebanglanagar"),
    ("Uttara", "উত্তরা", "Dhaka", INSIDE_DHAKA, "utora uttora"),
    ("Uttarkhan", "উত্তরখান", "Dhaka", INSIDE_DHAKA, ""),
    ("Dakshinkhan", "দক্ষিণখান", "Dhaka", INSIDE_DHAKA, "dokkhinkhan dakkhinkhan"),
    ("Turag", "তুরাগ", "Dhaka", INSIDE_DHAKA, ""),
    ("Khilkhet", "খিলক্ষেত", "Dhaka", INSIDE_DHAKA, ""),
    ("Nikunja", "নিকুঞ্জ", "Dhaka", INSIDE_DHAKA, "nikunjo"),
    ("Kuril", "কুড়িল", "Dhaka", INSIDE_DHAKA, ""),
    ("Baridhara", "বারিধারা", "Dhaka", INSIDE_DHAKA, ""),
    ("Gulshan", "গুলশান", "Dhaka", INSIDE_DHAKA, ""),
    ("Banani", "বনানী", "Dhaka", INSIDE_DHAKA, ""),
    ("Mohakhali", "মহাখালী", "Dhaka", INSIDE_DHAKA, "mohakhale"),
    ("Cantonment", "ক্যান্টনমেন্ট", "Dhaka", INSIDE_DHAKA, "dhakacantonment"),
    ("Bashundhara", "বসুন্ধরা", "Dhaka", INSIDE_DHAKA, "bosundhora boshundhora"),
    ("Badda", "বাড্ডা", "Dhaka", INSIDE_DHAKA, ""),
    ("Vatara", "ভাটারা", "Dhaka", INSIDE_DHAKA, ""),
    ("Rampura", "রামপুরা", "Dhaka", INSIDE_DHAKA, ""),
    ("Banasree", "বনশ্রী", "Dhaka", INSIDE_DHAKA, "banashree banosree banosri"),
    ("Aftabnagar", "আফতাবনগর", "Dhaka", INSIDE_DHAKA, ""),
    ("Tejgaon", "তেজগাঁও", "Dhaka", INSIDE_DHAKA, "tejgao"),
    ("Farmgate", "ফার্মগেট", "Dhaka", INSIDE_DHAKA, "farmget"),
    ("Karwan Bazar", "কারওয়ান বাজার", "Dhaka", INSIDE_DHAKA, "kawranbazar karwanbazar kawranbazar কাওরানবাজার"),
    ("Moghbazar", "মগবাজার", "Dhaka", INSIDE_DHAKA, "mogbazar maghbazar"),
    ("Hatirjheel", "হাতিরঝিল", "Dhaka", INSIDE_DHAKA, "hatirjhil"),
    ("Mohammadpur", "মোহাম্মদপুর", "Dhaka", INSIDE_DHAKA, "mohammedpur mohamadpur muhammadpur"),
    ("Adabor", "আদাবর", "Dhaka", INSIDE_DHAKA, "adabar"),
    ("Shyamoli", "শ্যামলী", "Dhaka", INSIDE_DHAKA, "shamoli syamoli"),
    ("Kallyanpur", "কল্যাণপুর", "Dhaka", INSIDE_DHAKA, "kalyanpur"),
    ("Gabtoli", "গাবতলী", "Dhaka", INSIDE_DHAKA, "gabtali"),
    ("Lalmatia", "লালমাটিয়া", "Dhaka", INSIDE_DHAKA, ""),
    # Dhaka South City Corporation
    ("Dhanmondi", "ধানমন্ডি", "Dhaka", INSIDE_DHAKA, "dhanmondhi ধানমণ্ডি"),
    ("Jigatola", "জিগাতলা", "Dhaka", INSIDE_DHAKA, ""),
    ("Kalabagan", "কলাবাগান", "Dhaka", INSIDE_DHAKA, ""),
    ("Panthapath", "পান্থপথ", "Dhaka", INSIDE_DHAKA, ""),
    ("Rayer Bazar", "রায়ের বাজার", "Dhaka", INSIDE_DHAKA, "rayerbazar"),
    ("Hazaribagh", "হাজারীবাগ", "Dhaka", INSIDE_DHAKA, "hajaribag"),
    ("Azimpur", "আজিমপুর", "Dhaka", INSIDE_DHAKA, ""),
    ("New Market", "নিউ মার্কেট", "Dhaka", INSIDE_DHAKA, "newmarket"),
    ("Nilkhet", "নীলক্ষেত", "Dhaka", INSIDE_DHAKA, ""),
    ("Elephant Road", "এলিফ্যান্ট রোড", "Dhaka", INSIDE_DHAKA, "elephantroad"),
    ("Science Lab", "সায়েন্স ল্যাব", "Dhaka", INSIDE_DHAKA, "sciencelab"),
    ("Shahbagh", "শাহবাগ", "Dhaka", INSIDE_DHAKA, "shahbag"),
    ("Ramna", "রমনা", "Dhaka", INSIDE_DHAKA, ""),
    ("Eskaton", "ইস্কাটন", "Dhaka", INSIDE_DHAKA, "iskaton"),
    ("Kakrail", "কাকরাইল", "Dhaka", INSIDE_DHAKA, ""),
    ("Shantinagar", "শান্তিনগর", "Dhaka", INSIDE_DHAKA, ""),
    ("Malibagh", "মালিবাগ", "Dhaka", INSIDE_DHAKA, "malibag"),
    ("Khilgaon", "খিলগাঁও", "Dhaka", INSIDE_DHAKA, "khilgao"),
    ("Segunbagicha", "সেগুনবাগিচা", "Dhaka", INSIDE_DHAKA, ""),
    ("Paltan", "পল্টন", "Dhaka", INSIDE_DHAKA, "polton"),
    ("Motijheel", "মতিঝিল", "Dhaka", INSIDE_DHAKA, "motijhil"),
    ("Arambagh", "আরামবাগ", "Dhaka", INSIDE_DHAKA, "arambag"),
    ("Fakirapool", "ফকিরাপুল", "Dhaka", INSIDE_DHAKA, "fakirapul"),
    ("Gulistan", "গুলিস্তান", "Dhaka", INSIDE_DHAKA, ""),
    ("Shahjahanpur", "শাহজাহানপুর", "Dhaka", INSIDE_DHAKA, ""),
    ("Sabujbagh", "সবুজবাগ", "Dhaka", INSIDE_DHAKA, "sobujbag"),
    ("Basabo", "বাসাবো", "Dhaka", INSIDE_DHAKA, "bashabo"),
    ("Mugda", "মুগদা", "Dhaka", INSIDE_DHAKA, ""),
    ("Manda", "মান্ডা", "Dhaka", INSIDE_DHAKA, ""),
    ("Tikatuli", "টিকাটুলি", "Dhaka", INSIDE_DHAKA, ""),
    ("Lalbagh", "লালবাগ", "Dhaka", INSIDE_DHAKA, "lalbag"),
    ("Old Dhaka", "পুরান ঢাকা", "Dhaka", INSIDE_DHAKA, "purandhaka puranodhaka পুরনোঢাকা পুরানোঢাকা"),
    ("Chawkbazar", "চকবাজার", "Dhaka", INSIDE_DHAKA, "chowkbazar chakbazar"),
    ("Bangshal", "বংশাল", "Dhaka", INSIDE_DHAKA, "bongshal"),
    ("Sadarghat", "সদরঘাট", "Dhaka", INSIDE_DHAKA, "sodorghat"),
    ("Wari", "ওয়ারী", "Dhaka", INSIDE_DHAKA, ""),
    ("Gendaria", "গেন্ডারিয়া", "Dhaka", INSIDE_DHAKA, ""),
    ("Sutrapur", "সূত্রাপুর", "Dhaka", INSIDE_DHAKA, ""),
    ("Jatrabari", "যাত্রাবাড়ী", "Dhaka", INSIDE_DHAKA, "jatrabary"),
    ("Sayedabad", "সায়েদাবাদ", "Dhaka", INSIDE_DHAKA, "saidabad"),
    ("Jurain", "জুরাইন", "Dhaka", INSIDE_DHAKA, ""),
    ("Postogola", "পোস্তগোলা", "Dhaka", INSIDE_DHAKA, ""),
    ("Kadamtali", "কদমতলী", "Dhaka", INSIDE_DHAKA, "kadamtoli"),
    ("Shyampur", "শ্যামপুর", "Dhaka", INSIDE_DHAKA, ""),
    ("Matuail", "মাতুয়াইল", "Dhaka", INSIDE_DHAKA, ""),
    ("Shonir Akhra", "শনির আখড়া", "Dhaka", INSIDE_DHAKA, "shonirakhra sanirakhra"),
    ("Demra", "ডেমরা", "Dhaka", INSIDE_DHAKA, ""),
    ("Kamrangirchar", "কামরাঙ্গীরচর", "Dhaka", INSIDE_DHAKA, "কামরাঙ্গিরচর"),
    # Suburbs in Dhaka district, outside both city corporations
    ("Savar", "সাভার", "Dhaka", DHAKA_SUBURB, ""),
    ("Hemayetpur", "হেমায়েতপুর", "Dhaka", DHAKA_SUBURB, "hemaetpur"),
    ("Ashulia", "আশুলিয়া", "Dhaka", DHAKA_SUBURB, "ashuliya"),
    ("Dhamrai", "ধামরাই", "Dhaka", DHAKA_SUBURB, ""),
    ("Keraniganj", "কেরানীগঞ্জ", "Dhaka", DHAKA_SUBURB, "keranigonj"),
    # Gazipur
    ("Tongi", "টঙ্গী", "Gazipur", DHAKA_SUBURB, ""),
    ("Joydebpur", "জয়দেবপুর", "Gazipur", DHAKA_SUBURB, "jaydebpur"),
    ("Board Bazar", "বোর্ড বাজার", "Gazipur", DHAKA_SUBURB, "boardbazar"),
    ("Konabari", "কোনাবাড়ী", "Gazipur", DHAKA_SUBURB, ""),
    ("Kashimpur", "কাশিমপুর", "Gazipur", DHAKA_SUBURB, ""),
    ("Pubail", "পূবাইল", "Gazipur", DHAKA_SUBURB, ""),
    # Narayanganj
    ("Chashara", "চাষাঢ়া", "Narayanganj", DHAKA_SUBURB, ""),
    ("Fatullah", "ফতুল্লা", "Narayanganj", DHAKA_SUBURB, "fotulla"),
    ("Siddhirganj", "সিদ্ধিরগঞ্জ", "Narayanganj", DHAKA_SUBURB, "sidhirganj sidhirgonj"),
    ("Kanchpur", "কাঁচপুর", "Narayanganj", DHAKA_SUBURB, ""),
    ("Rupganj", "রূপগঞ্জ", "Narayanganj", DHAKA_SUBURB, "rupgonj"),
    ("Purbachal", "পূর্বাচল", "Narayanganj", DHAKA_SUBURB, "purbacol"),
    ("Sonargaon", "সোনারগাঁও", "Narayanganj", DHAKA_SUBURB, "sonargao"),
)  # fmt: skip
