"""Name pools per culture for the evaluation generator: common given and family names only,
combined at random, so every generated person is fictional.

Native-script pools carry the writing and, where the romanisation needs it, the reading:
Japanese as (kanji, kana reading), Chinese as Han (read by pypinyin), Korean as Hangul with the
conventional passport spellings of common surnames, Russian in Cyrillic (transliterated by
``gen_eval``'s own tables), Arabic and Hebrew as (Latin spellings, native writing).
"""

from __future__ import annotations

JP_FAMILY = [("佐藤", "さとう"), ("鈴木", "すずき"), ("高橋", "たかはし"), ("田中", "たなか"), ("伊藤", "いとう"),
             ("渡辺", "わたなべ"), ("山本", "やまもと"), ("中村", "なかむら"), ("小林", "こばやし"), ("加藤", "かとう"),
             ("大野", "おおの"), ("斎藤", "さいとう"), ("近藤", "こんどう"), ("遠藤", "えんどう"), ("工藤", "くどう")]
JP_GIVEN_M = [("翔太", "しょうた"), ("健一", "けんいち"), ("大輔", "だいすけ"), ("浩二", "こうじ"), ("雄太", "ゆうた"),
              ("直樹", "なおき"), ("拓也", "たくや"), ("翼", "つばさ"), ("亮", "りょう"), ("洋平", "ようへい"),
              ("修", "おさむ"), ("恭平", "きょうへい")]
JP_GIVEN_F = [("裕子", "ゆうこ"), ("陽子", "ようこ"), ("千鶴", "ちづる"), ("恭子", "きょうこ"), ("美咲", "みさき"),
              ("由美", "ゆみ"), ("優子", "ゆうこ"), ("純子", "じゅんこ"), ("彩", "あや"), ("静香", "しずか")]

CN_FAMILY = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭"]
CN_GIVEN_M = ["伟", "晓明", "建华", "志强", "俊杰", "浩然", "嘉豪", "国栋", "振宇", "文博", "永康", "子轩", "瑞", "冠霖"]
CN_GIVEN_F = ["芳", "秀英", "丽娟", "子涵", "欣怡", "婉婷", "雅琴", "春燕", "慧敏", "佳怡", "晓燕", "思琪"]

# Hangul surname -> conventional passport spellings (the first is Revised Romanization's).
KR_FAMILY = {"김": ["GIM", "KIM"], "이": ["I", "LEE", "YI", "RHEE"], "박": ["BAK", "PARK", "PAK"],
             "최": ["CHOE", "CHOI"], "정": ["JEONG", "JUNG", "CHUNG"], "강": ["GANG", "KANG"],
             "조": ["JO", "CHO"], "윤": ["YUN", "YOON"], "장": ["JANG", "CHANG"], "임": ["IM", "LIM", "RIM"],
             "한": ["HAN"], "오": ["O", "OH"], "서": ["SEO", "SUH"], "신": ["SIN", "SHIN"]}
KR_GIVEN_M = ["민준", "지훈", "현우", "동현", "성민", "건우", "정훈", "영호", "상철", "준영", "태윤", "재석"]
KR_GIVEN_F = ["서연", "수빈", "지은", "은지", "혜진", "정은", "미경", "소영", "하늘", "유진", "나래", "설희"]

RU_FAMILY_M = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов", "Новиков", "Морозов",
               "Волков", "Зайцев", "Павлов", "Семёнов", "Голубев", "Виноградов", "Богданов"]
RU_GIVEN_M = ["Александр", "Дмитрий", "Евгений", "Юрий", "Алексей", "Сергей", "Андрей", "Николай", "Фёдор",
              "Григорий", "Илья", "Михаил", "Вячеслав", "Аркадий"]
RU_GIVEN_F = ["Елена", "Юлия", "Наталья", "Ксения", "Татьяна", "Ольга", "Мария", "Екатерина", "Анастасия",
              "Людмила", "Жанна"]

# Arabic: (Latin spellings, most common first; Arabic script).
AR_GIVEN_M = [(["Omar", "Umar", "Omer"], "عمر"), (["Mohammed", "Muhammad", "Mohamed", "Mohamad"], "محمد"),
              (["Khalid", "Khaled"], "خالد"), (["Youssef", "Yusuf", "Yousef"], "يوسف"), (["Hassan", "Hasan"], "حسن"),
              (["Ibrahim", "Ebrahim"], "إبراهيم"), (["Abdullah", "Abdallah"], "عبد الله"),
              (["Saeed", "Said", "Saied"], "سعيد"), (["Nasser", "Naser"], "ناصر"), (["Faisal", "Faysal"], "فيصل"),
              (["Tariq", "Tarek", "Tarik"], "طارق"), (["Hamad", "Hamed"], "حمد"), (["Saleh", "Salih"], "صالح"),
              (["Mansour", "Mansur"], "منصور"), (["Bilal"], "بلال")]
AR_GIVEN_F = [(["Fatima", "Fatimah", "Fatma"], "فاطمة"), (["Aisha", "Aicha", "Ayesha"], "عائشة"),
              (["Maryam", "Mariam"], "مريم"), (["Noura", "Nura"], "نورة"), (["Huda", "Hoda"], "هدى"),
              (["Layla", "Leila", "Laila"], "ليلى"), (["Samira", "Sameera"], "سميرة")]
AR_FAMILY = [(["al-Harbi", "el-Harbi", "Alharbi", "Harbi"], "الحربي"),
             (["al-Qahtani", "al-Kahtani", "Alqahtani"], "القحطاني"),
             (["al-Shammari", "el-Shammari", "Alshammari"], "الشمري"),
             (["al-Zahrani", "Alzahrani", "el-Zahrany"], "الزهراني"), (["al-Otaibi", "Alotaibi", "al-Utaybi"], "العتيبي"),
             (["al-Dosari", "al-Dawsari", "Aldosari"], "الدوسري"), (["al-Mutairi", "Almutairi"], "المطيري"),
             (["al-Ghamdi", "Alghamdi"], "الغامدي"), (["al-Anazi", "al-Enezi", "Alanazi"], "العنزي"),
             (["al-Subaie", "Alsubaie", "al-Subai"], "السبيعي")]
EG_FAMILY = [(["el-Masry", "al-Masri", "Elmasry"], "المصري"), (["Haddad", "Hadad"], "حداد"),
             (["Mansour", "Mansur"], "منصور"), (["el-Sayed", "al-Sayyid", "Elsayed"], "السيد"),
             (["Abdel Rahman", "Abdelrahman", "Abd al-Rahman"], "عبد الرحمن"), (["Ibrahim", "Ebrahim"], "إبراهيم"),
             (["Farouk", "Faruq"], "فاروق"), (["Hussein", "Husain", "Hussain"], "حسين")]

HE_GIVEN_M = [(["Avraham", "Abraham"], "אברהם"), (["Yitzhak", "Itzhak", "Yitschak"], "יצחק"), (["Moshe", "Moshe"], "משה"),
              (["Yosef", "Yossef", "Josef"], "יוסף"), (["Eliyahu", "Eliahu"], "אליהו"), (["Shmuel", "Samuel"], "שמואל"),
              (["Yaakov", "Yaacov", "Jacob"], "יעקב"), (["Noam"], "נועם"), (["Itai", "Itay"], "איתי")]
HE_GIVEN_F = [(["Miriam", "Miryam"], "מרים"), (["Rivka", "Rivkah", "Rebecca"], "רבקה"), (["Shira"], "שירה"),
              (["Yael", "Jael"], "יעל"), (["Tamar", "Tammar"], "תמר"), (["Noa"], "נועה")]
HE_FAMILY = [(["Cohen", "Kohen", "Cohn"], "כהן"), (["Levi", "Levy"], "לוי"), (["Mizrahi", "Mizrachi"], "מזרחי"),
             (["Peretz", "Perez"], "פרץ"), (["Biton", "Bitton"], "ביטון"), (["Friedman", "Fridman"], "פרידמן"),
             (["Avraham", "Abraham"], "אברהם"), (["Dahan", "Dahhan"], "דהן"), (["Ohana", "Ohanna"], "אוחנה")]

ET_MALE = ["Dawit", "Tesfaye", "Mulugeta", "Alemayehu", "Yonas", "Bereket", "Haile", "Kidane", "Girma", "Abebe",
           "Tekle", "Gebremedhin", "Hailemariam", "Woldemichael", "Fikru", "Negash", "Asfaw", "Berhane", "Tsegaye",
           "Kebede", "Mesfin", "Yohannes", "Solomon", "Tewodros"]
ET_FEMALE = ["Selam", "Hirut", "Meron", "Tigist", "Almaz", "Mekdes", "Hiwot", "Bethlehem", "Saba", "Rahel"]
SO_MALE = ["Abdi", "Mohamed", "Ahmed", "Hassan", "Farah", "Warsame", "Omar", "Yusuf", "Ali", "Abdirahman",
           "Mahad", "Guled", "Abdullahi", "Jama", "Nur", "Osman"]
SO_FEMALE = ["Hodan", "Amina", "Faduma", "Sahra", "Hibo", "Ayan", "Ifrah", "Deeqa"]

IS_MALE = ["Jón", "Sigurður", "Guðmundur", "Gunnar", "Ólafur", "Einar", "Kristján", "Magnús", "Stefán", "Þórður"]
IS_FEMALE = ["Guðrún", "Anna", "Kristín", "Sigríður", "Margrét", "Helga", "Þórunn", "Ásdís"]

VN_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
VN_MIDDLE_M = ["Văn", "Đức", "Minh", "Quang", "Hữu"]
VN_MIDDLE_F = ["Thị", "Ngọc", "Thu", "Kim"]
VN_GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hương", "Lan", "Long", "Nam", "Tuấn", "Thảo", "Trang", "Hải",
            "Phúc", "Khánh"]

HU_FAMILY = ["Nagy", "Kovács", "Tóth", "Szabó", "Horváth", "Varga", "Kiss", "Molnár", "Németh", "Farkas", "Balogh",
             "Papp", "Takács", "Juhász", "Lakatos"]
HU_MALE = ["László", "István", "József", "Zoltán", "Gábor", "Ferenc", "Attila", "Péter", "Tamás", "Sándor"]
HU_FEMALE = ["Erzsébet", "Katalin", "Ágnes", "Ildikó", "Zsuzsanna", "Éva", "Mária", "Krisztina"]

ES_FAMILY = ["García", "López", "Martínez", "Rodríguez", "Sánchez", "Pérez", "Gómez", "Fernández", "Díaz", "Moreno",
             "Álvarez", "Romero", "Jiménez", "Ruiz", "Hernández", "Muñoz", "Castillo", "Ortega", "Vargas", "Ramírez"]
ES_MALE = ["José", "Juan Carlos", "Alejandro", "Diego", "Javier", "Miguel Ángel", "Andrés", "Raúl", "Sergio",
           "Francisco", "Luis", "Jorge"]
ES_FEMALE = ["María", "Lucía", "Carmen", "Valentina", "Sofía", "Ana Isabel", "Laura", "Paula", "Marta", "Rocío"]

DE_FAMILY = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schäfer", "Koch",
             "Köhler", "Groß", "Krüger", "Jäger", "Böhm"]
DE_MALE = ["Jürgen", "Günther", "Jörg", "Uwe", "Björn", "Klaus", "Thomas", "Matthias", "Stefan", "Dieter"]
DE_FEMALE = ["Sabine", "Ute", "Birgit", "Käthe", "Monika", "Anja", "Jutta", "Dörte"]

NG_FAMILY = ["Adebayo", "Okafor", "Chukwu", "Okonkwo", "Adeyemi", "Balogun", "Eze", "Nwosu", "Ogunleye", "Olawale",
             "Ibekwe", "Onyekachi", "Afolabi", "Bello"]
NG_MALE = ["Chinedu", "Emeka", "Oluwaseun", "Tunde", "Ifeanyi", "Babatunde", "Obinna", "Segun", "Kelechi", "Yusuf"]
NG_FEMALE = ["Ngozi", "Funmilayo", "Adaeze", "Chiamaka", "Yetunde", "Folake", "Nkechi", "Aisha"]

TR_FAMILY = ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Öztürk", "Aydın", "Özdemir", "Arslan",
             "Doğan", "Kılıç"]
TR_MALE = ["Mehmet", "Mustafa", "Hüseyin", "Murat", "İbrahim", "Ömer", "Emre", "Burak", "Halil", "Yusuf"]
TR_FEMALE = ["Ayşe", "Fatma", "Emine", "Elif", "Zeynep", "Hatice", "Özlem", "Gül"]
