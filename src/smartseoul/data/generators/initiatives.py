"""initiatives: a factual timeline of Seoul's smart city initiatives and milestones, 1999-2023.

Real, not synthetic: every row restates a fact from the course's reference file
(shared/reference/seoul-facts.md, sections 2 and 3) with the source named there. The status
column carries the file's own marks: 'confirmed' (✅, seen in a named source) or 'secondary'
(⚠️, one secondary source, sources that disagree, or an inference). Facts marked ❌ are left out;
where a row touches one, its description says it is unconfirmed and does not state it."""

from __future__ import annotations

import pandas as pd

from ..schema import Field, Schema
from ..spec import FACTS_SOURCE, Output, Resource

DATASET = "initiatives"

DOMAINS = (
    "governance", "transport", "open data", "IoT/sensing", "digital twin", "connectivity",
    "citizen services", "international cooperation",
)
PHASES = ("computerisation", "e-Seoul", "u-Seoul", "Smart Seoul", "Digital Seoul", "post-COVID")

# (year, date, name_en, name_ko, domain, phase, description, key_figure, status, source)
ROWS = [
    (1999, "1999-03-15", "Informatization ordinance, master plan and an outside CIO", "정보화 조례·정보화 기본계획·CIO 영입",
     "governance", "computerisation",
     "Seoul passed its Ordinance on Information and set up a planning group led by a chief information officer recruited from outside the city government.",
     "\"Smart Seoul Planning Group\" founded 1999-03-15 with an outside CIO", "confirmed", "seoulsolution.kr/es/node/5804"),
    (1999, "", "Phase 1: computerisation", "1단계 전산화",
     "governance", "computerisation",
     "First official phase of Seoul's informatization (up to 1999): computerising the city's administrative work.",
     "phase 1 전산화 (computerization), to 1999", "confirmed", "policywiki.kr/서울시스마트사업"),
    (2000, "", "Phase 2: going online (e-Seoul Net, Seoul data center)", "2단계 온라인화 (e-Seoul Net)",
     "governance", "e-Seoul",
     "Second phase (2000-05): online services, the Seoul data center and the e-Seoul Net network.",
     "phase 2 온라인화 (online), 2000–05; Seoul data center, e-Seoul Net", "confirmed", "policywiki.kr/서울시스마트사업"),
    (2003, "", "World #1 in the e-government evaluation of cities", "세계 도시 전자정부 평가 1위",
     "governance", "e-Seoul",
     "Seoul ranked first in the world cities e-government evaluation four consecutive times from 2003 (through 2011). The source does not name the evaluator; it is commonly cited as Rutgers/SPAA (secondary).",
     "#1 four consecutive times from 2003", "confirmed", "newswave.kr/141546"),
    (2004, "2004-07", "Bus reform and the T-money transit card", "대중교통 체계 개편·티머니 교통카드",
     "transport", "e-Seoul",
     "The July 2004 bus reform introduced a new smart transit card; its trip records became the city's closest thing to big data.",
     "about 12M trips per day", "confirmed", "mediahub.seoul.go.kr/archives/947843"),
    (2005, "2005-07", "TOPIS, the Seoul Transport Operation and Information Service, opens", "서울교통정보센터(TOPIS) 개소",
     "transport", "e-Seoul",
     "An integrated transport centre combining bus management (BMS), bus information (BIS), T-money card data, CCTV, enforcement and expressway FTMS. Other sources date it 'since 2003' or 2005-2009.",
     "opened July 2005; six unit platforms: center, bus, enforcement, expressway, signal, big data", "confirmed",
     "mediawatch.kr 51764; seoulsolution.kr/ko/content/652"),
    (2006, "", "Phase 3: u-Seoul, the ubiquitous city", "3단계 u-Seoul (양방향 시민참여)",
     "governance", "u-Seoul",
     "Third phase (2006-10): two-way citizen participation and ubiquitous-city services.",
     "phase 3 양방향 시민참여 / ubiquitous city (u-Seoul), 2006–10", "confirmed", "policywiki.kr/서울시스마트사업"),
    (2007, "", "120 Dasan Call Center (launch year as usually cited)", "120다산콜센터 출범",
     "citizen services", "u-Seoul",
     "One number, 120, for all Seoul and gu enquiries, replacing about 20-69 separate numbers. The launch year 2007 is widely cited but not confirmed in a source the course read.",
     "before: 67 minutes on average to reach the right official; satisfaction 41.6 (2006)", "secondary",
     "publicadministration.un.org (UN Public Service Awards, case ids 569, 792, 1043)"),
    (2009, "2009-11-18", "120 Dasan Call Center integrated", "120다산콜센터 통합",
     "citizen services", "u-Seoul",
     "The call centre was integrated in November 2009; in its first year it handled about twice as many calls per day as before, with foreign-language service from 2010-02-24.",
     "40,514 calls per day (vs 19,707 before); 12,887,764 calls per year", "confirmed", "japanese.seoul.go.kr (article on 120 Dasan)"),
    (2010, "", "WeGO founded in Seoul", "세계도시전자정부협의체(WeGO) 창립",
     "international cooperation", "u-Seoul",
     "The World e-Governments Organization of Cities and Local Governments was founded in Seoul (theme 'e-Sharing for All'); later renamed the World Smart Sustainable Cities Organization. Seoul is the President City and hosts the Secretariat.",
     "50 founding members from 40 countries; more than 200 members by the mid-2020s", "confirmed",
     "we-gov.org/about-us-overview; we-gov.org/wego-10th-anniversary"),
    (2010, "", "Public bike pilot, Yeouido–Sangam", "공공자전거 시범사업 (여의도·상암)",
     "transport", "u-Seoul",
     "A first public bike pilot between Yeouido and Sangam.",
     "44 stations and 440 bikes", "confirmed", "tlnews.co.kr idxno=13101; donga.com 20240625"),
    (2011, "2011-06-08", "Smart Seoul 2015", "스마트 서울 2015",
     "governance", "Smart Seoul",
     "Five-year plan with four pillars: smart infrastructure and digital-divide reduction, smart-device administration, social safety, jobs and smart security. Free Wi-Fi in public facilities, mobile civil services, smart-device training and integrated CCTV use.",
     "₩853.8B over 5 years; free Wi-Fi at 796 public facilities; about 10,000 CCTV cameras integrated, target −10% crime",
     "confirmed", "kmib 0005039633; etnews 201106080154; newswave 141546"),
    (2012, "2012-05", "Seoul Open Data Plaza launched", "서울 열린데이터광장 개설",
     "open data", "Smart Seoul",
     "The city's open data portal (data.seoul.go.kr). District data opened in all 25 gu from 2015-01-26; by 2024 transport data were the most used and environment data the most downloaded.",
     "7,928 datasets in 12 categories (2024-09-30)", "confirmed",
     "cunews 31271; injournal 51665; news.sbs N1004975535; spasdemarques.com 82260"),
    (2013, "2013-04", "Owl Bus pilot: two night routes", "심야버스 시범운행 (N26, N37)",
     "transport", "Smart Seoul",
     "Two late-night routes, N26 (Gangseo–Jungnang) and N37 (Eunpyeong–Songpa), ran as a pilot from April to July 2013 before the network grew to nine routes.",
     "about 220k riders in 3 months (~2,100 per day)", "confirmed", "oxbedu.brentphone.kr (Korea JoongAng Daily reprint); go.seoul.co.kr 20130904014011"),
    (2013, "2013-09-12", "Owl Bus: night buses routed with big data", "올빼미버스 (심야버스) 9개 노선 운행",
     "transport", "Smart Seoul",
     "Late-night routes designed from call records and taxi data on a hexagon grid (see the late_night_demand dataset). Pilot of N26 and N37 from April 2013; nine routes from 2013-09-12, 00:00-05:00, card fare ₩1,850.",
     "3 billion KT call/SMS records; about 5 million taxi records; 1,252 hexagons; 9 routes", "confirmed",
     "dongascience 1324; donga 20130702; zdnet 20130702115100; go.seoul.co.kr 20130904014011"),
    (2013, "", "Owl Bus voted Seoul's best policy of 2013", "올빼미버스 2013 서울시 최고 정책 선정",
     "transport", "Smart Seoul",
     "Within two months of the full launch the night buses carried more than 6,000 riders a day; the policy also won a Presidential Award for local-government informatization in 2013.",
     "more than 6,000 riders per day within two months", "secondary", "facts file §2(i), Owl Bus outcomes (no separate source named)"),
    (2013, "", "TOPIS wins the ITS World Congress Local Government Award", "TOPIS 세계 ITS 총회 지방정부상 수상",
     "transport", "Smart Seoul",
     "International recognition for Seoul's transport operation centre.",
     "2013 ITS World Congress Local Government Award", "secondary", "facts file §2(h) (no separate source named)"),
    (2015, "", "Ttareungyi (따릉이) public bike launched", "따릉이 공공자전거 출범",
     "transport", "Smart Seoul",
     "Seoul's public bike share launched in five hubs (inside the four gates, Yeouido, Sangam, Sinchon, Seongsu) and grew to a city-wide network.",
     "150 stations and 2,000 bikes at launch; about 2,700 stations and 45,000 bikes (2024)", "confirmed",
     "tlnews.co.kr idxno=13101; donga.com 20240625"),
    (2016, "", "Digital Seoul 2020", "서울 디지털기본계획 2020",
     "governance", "Digital Seoul",
     "Fifth-phase plan with the Seoul Digital Foundation (established May 2016) and the Gaepo Digital Innovation Park. The month of the plan is unconfirmed.",
     "4 strategies and 54 tasks; ₩460.5B over 5 years", "confirmed", "web2.etoday.co.kr/news/view/1293119"),
    (2016, "2016-07", "Seoul Big Data Campus opens", "서울 빅데이터 캠퍼스 개소",
     "open data", "Digital Seoul",
     "A place in Sangam where researchers and firms analyse non-public data (card, transit, floating population) the city cannot publish openly; more branches followed.",
     "4,500 datasets incl. about 300 non-public ones; 7 branches by 2022", "confirmed", "mbiz.heraldcorp 1021961; newspim 20220817001054"),
    (2017, "2017-06", "Digital Citizen Mayor's Office", "디지털 시민시장실",
     "governance", "Digital Seoul",
     "A wall-sized dashboard in the mayor's office joining city systems, CCTV feeds and 120 Dasan data; opened to citizens on 2019-04-01 on PC, mobile and screens in three stations.",
     "16M records from 290 systems; about 1,200 CCTV feeds", "confirmed",
     "news.seoul.go.kr/gov/archives/504813; asiae 2019033023441073870"),
    (2018, "", "S-Map, the Virtual Seoul digital twin (started)", "S-Map (버추얼 서울) 구축 착수",
     "digital twin", "Digital Seoul",
     "A 3D digital twin of the whole city, used by deliberation committees and for wind corridors, sunlight, views, fire response and cultural heritage.",
     "605.23 km²; about 600,000 buildings in 3D from about 25,000 aerial photos", "confirmed",
     "zdnet 20210402052750; news.kbiz 69403"),
    (2019, "2019-10", "S-Net and S-DoT plans: the city's own network and sensors", "S-Net(스마트서울 네트워크)·S-DoT 계획",
     "connectivity", "Digital Seoul",
     "A self-owned fibre network with public Wi-Fi and IoT base stations, and a plan to spread S-DoT environmental sensors across the city.",
     "5,954 km of fibre by 2022; 11,030 Kkachi-on Wi-Fi APs; 1,000 public IoT base stations", "confirmed",
     "iheadlinenews 48907; kfict 14938; etoday 1815257"),
    (2019, "", "S-DoT sensors (Smart Seoul Data of Things)", "S-DoT 도시데이터 센서",
     "IoT/sensing", "Digital Seoul",
     "Low-cost sensors on CCTV poles and streetlights measuring PM, temperature, humidity, light, noise and more, published as hourly averages (OA-15969). The number actually installed after 2020 is unconfirmed.",
     "850 sensors by end-2019; plan 2,500 by 2022", "confirmed", "etoday 1815257; donga 20191030"),
    (2020, "2020-04", "IoT city data system", "IoT 도시데이터 시스템",
     "IoT/sensing", "Digital Seoul",
     "A platform collecting the city's IoT sensor data for smart-city services.",
     "1.15M records per day from about 10,000 IoT sensors feeding 35 smart-city services", "confirmed", "annews; etoday 2020-03-31"),
    (2020, "2020-07-01", "S-Map public service (phase 1)", "S-Map 1단계 대시민 서비스",
     "digital twin", "Digital Seoul",
     "First public release of the digital twin.",
     "phase-1 public service from 2020-07-01", "confirmed", "zdnet 20210402052750; smartcity.go.kr 2021-04-01"),
    (2020, "2020-11-01", "Kkachi-on (까치온) public Wi-Fi pilot", "까치온 공공와이파이 시범 서비스",
     "connectivity", "Digital Seoul",
     "Free Wi-Fi 6 on the city's own network in five pilot gu (Seongdong, Guro, Eunpyeong, Gangseo, Dobong); AP sites chosen with living-population and transit data.",
     "1,780 new APs; 1,150 km of network in 5 gu", "confirmed", "news.sbs N1006042033; asiae 2020102609541994812"),
    (2020, "", "Smart poles pilot", "스마트폴 시범 설치",
     "IoT/sensing", "Digital Seoul",
     "Street-light or signal poles combining CCTV, public Wi-Fi, IoT, S-DoT, emergency bells, smart crosswalks and charging; 26 poles at 6 sites by February 2021 gave 10 standard models.",
     "2020 pilot: 15 poles in Seongdong/Jongno; 190 more planned in 2021", "confirmed",
     "newspim 20201105000825; news.seoul.go.kr/gov/archives/527627; etnews 20210310000087"),
    (2021, "", "Smart City & Informatization Master Plan 2021–25", "스마트도시 및 정보화 기본계획 2021–2025",
     "governance", "post-COVID",
     "Sixth phase, 'future smart standard city' (미래 스마트표준 도시), a statutory five-year plan. That it continues the earlier phases is inferred from the listed plans.",
     "phase 6, 2021–25", "secondary", "policywiki.kr/서울시스마트사업"),
    (2021, "2021-04-01", "S-Map in full operation", "S-Map 본격 운영",
     "digital twin", "post-COVID",
     "The digital twin entered full operation and is used by 7 deliberation committees (urban planning, traffic impact ...).",
     "full operation from 2021-04-01; 3D cultural heritage (600 items)", "confirmed",
     "zdnet 20210402052750; tvchosun 2021040590033"),
    (2021, "", "Post-COVID digital shift: contactless city services", "비대면 디지털 전환 (서울지갑, 서울톡, 메타버스 서울)",
     "citizen services", "post-COVID",
     "Contactless services, the blockchain 'Seoul Wallet' digital ID (from 2021), the 서울톡 chatbot, Metaverse Seoul (2022-26) and a Seoul Smart City Center.",
     "서울톡 chatbot: 420 → 700 administrative topics (2021–25)", "confirmed", "smart.seoul.go.kr (smart policy page)"),
    (2022, "", "Seoul first in the Smart Cities Index 2022", "스마트시티 지수 2022 세계 1위",
     "governance", "post-COVID",
     "Ranked first of 31 cities in the Yonsei/Cambridge Smart Cities Index 2022.",
     "#1 of 31 cities (score 97)", "confirmed", "smart.seoul.go.kr; fnnews 202301251807240440"),
    (2023, "", "Informatization budget and intelligent CCTV", "정보화 예산·지능형 CCTV",
     "governance", "post-COVID",
     "The city's informatization budget kept growing after COVID, with intelligent CCTV and digital-inclusion support among its projects.",
     "₩345.9B (2022) → ₩370.3B (2023; 1,431 projects); intelligent CCTV ₩9.2B", "confirmed", "fnnews 202301251807240440"),
    (2024, "2024-09-30", "Open Data Plaza reaches nearly 8,000 datasets", "열린데이터광장 데이터셋 7,928종",
     "open data", "post-COVID",
     "The open data portal's catalogue after twelve years: health, culture/tourism and industry/economy are the largest categories.",
     "7,928 datasets in 12 categories (2024-09-30): health 1,798, culture/tourism 1,626, industry/economy 945", "confirmed",
     "spasdemarques.com 82260 (Seoul Digital Foundation brief 2024)"),
]


def _fields() -> list[Field]:
    return [
        Field("year", "integer", "Year the initiative started or the milestone happened.", "연도", required=True, minimum=1999, maximum=2024),
        Field("date", "string", "Date where known: YYYY-MM-DD or YYYY-MM; empty when only the year is known.", "일자", pattern=r"\d{4}-\d{2}(-\d{2})?"),
        Field("name_en", "string", "Name of the initiative or milestone in English.", required=True),
        Field("name_ko", "string", "Name in Korean.", "사업명", required=True),
        Field("domain", "string", "What part of the smart city it concerns.", "분야", required=True, enum=DOMAINS, categorical=True),
        Field("phase", "string", "Phase of Seoul's informatization plans it belongs to: computerisation (to 1999), e-Seoul (2000-05), u-Seoul (2006-10), Smart Seoul (2011-15), Digital Seoul (2016-20), post-COVID (2021-25).",
              "단계", required=True, enum=PHASES, categorical=True),
        Field("description", "string", "What it did, in plain English.", "내용", required=True),
        Field("key_figure", "string", "One key figure, as given in the course's reference facts.", "주요 수치", required=True),
        Field("status", "string", "confirmed: seen in a named source (✅ in the facts file); secondary: one secondary source, disagreeing sources or an inference (⚠️).",
              "확인 수준", required=True, enum=("confirmed", "secondary"), categorical=True),
        Field("source", "string", "Where the fact comes from, as cited in the facts file.", "출처", required=True),
    ]


def build(ctx) -> list[Output]:
    df = pd.DataFrame(ROWS, columns=["year", "date", "name_en", "name_ko", "domain", "phase", "description",
                                     "key_figure", "status", "source"])
    df["date"] = df["date"].replace("", None)
    df = df.sort_values(["year", "date", "name_en"], na_position="first", kind="stable").reset_index(drop=True)
    return [
        Output(
            Resource(
                "initiatives", DATASET, "Seoul's smart city initiatives and milestones, 1999-2024 (factual)",
                "A timeline of Seoul's informatization and smart city initiatives: what each did, one key figure, how well it is "
                "confirmed and where it comes from.",
                "initiatives/initiatives.csv", "csv", "factual", Schema(_fields(), []),
                imitates=None, sources=[FACTS_SOURCE],
                notes=[
                    "Factual: each row restates a fact from the course's reference file with the source named there; figures are quoted as given.",
                    "status 'secondary' marks facts from one secondary source, disagreeing sources or an inference; facts the reference file marks "
                    "unconfirmed are left out or explicitly called unconfirmed in the description.",
                ],
            ),
            df,
        )
    ]
