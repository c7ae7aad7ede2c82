"""subway: monthly ridership by line, station and hour, 2019-2023 (lines 1-9 inside Seoul).

Shaped like OA-12252 (서울시 지하철 호선별 역별 시간대별 승하차 인원 정보): one row per month, line
and station with 24 one-hour slots (04시-05시 ... 03시-04시) of boardings (승차) and alightings
(하차). Station names are the real ones; positions are approximate (our own estimates, checked
to fall inside Seoul). Volumes are synthetic, calibrated on published magnitudes (busiest and
quietest stations, system totals), and shaped by the shared city: the COVID distancing drivers,
the calendar (weekends, holidays) and the weather."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import city
from ..schema import Field, Schema
from ..spec import FACTS_SOURCE, Output, Resource

DATASET = "subway"
START, END = "2019-01-01", "2023-12-31"

# Real station names by line, inside Seoul, in line order; "gu" is the station's district as we
# know it; lat/lon are approximate positions (our estimates). Transfer stations appear once per
# line. Line 1 includes the Korail-run stations inside Seoul (operator column).
STATIONS = """
1|Seoul Metro|서울역|중구|37.5559|126.9723
1|Seoul Metro|시청|중구|37.5657|126.9769
1|Seoul Metro|종각|종로구|37.5702|126.9831
1|Seoul Metro|종로3가|종로구|37.5704|126.9921
1|Seoul Metro|종로5가|종로구|37.5709|127.0019
1|Seoul Metro|동대문|종로구|37.5714|127.0098
1|Seoul Metro|동묘앞|종로구|37.5732|127.0165
1|Seoul Metro|신설동|동대문구|37.5760|127.0243
1|Seoul Metro|제기동|동대문구|37.5781|127.0348
1|Seoul Metro|청량리|동대문구|37.5801|127.0485
1|Korail|회기|동대문구|37.5895|127.0578
1|Korail|외대앞|동대문구|37.5962|127.0633
1|Korail|신이문|동대문구|37.6015|127.0672
1|Korail|석계|노원구|37.6148|127.0660
1|Korail|광운대|노원구|37.6237|127.0616
1|Korail|월계|노원구|37.6331|127.0587
1|Korail|녹천|도봉구|37.6448|127.0513
1|Korail|창동|도봉구|37.6531|127.0477
1|Korail|방학|도봉구|37.6674|127.0443
1|Korail|도봉|도봉구|37.6795|127.0455
1|Korail|도봉산|도봉구|37.6886|127.0450
1|Korail|남영|용산구|37.5414|126.9716
1|Korail|용산|용산구|37.5299|126.9648
1|Korail|노량진|동작구|37.5141|126.9424
1|Korail|대방|영등포구|37.5133|126.9263
1|Korail|신길|영등포구|37.5170|126.9174
1|Korail|영등포|영등포구|37.5156|126.9075
1|Korail|신도림|구로구|37.5088|126.8912
1|Korail|구로|구로구|37.5030|126.8819
1|Korail|구일|구로구|37.4963|126.8706
1|Korail|개봉|구로구|37.4946|126.8584
1|Korail|오류동|구로구|37.4945|126.8449
1|Korail|온수|구로구|37.4921|126.8235
1|Korail|가산디지털단지|금천구|37.4815|126.8825
1|Korail|독산|금천구|37.4663|126.8894
1|Korail|금천구청|금천구|37.4556|126.8944
2|Seoul Metro|시청|중구|37.5647|126.9770
2|Seoul Metro|을지로입구|중구|37.5660|126.9826
2|Seoul Metro|을지로3가|중구|37.5663|126.9910
2|Seoul Metro|을지로4가|중구|37.5667|126.9976
2|Seoul Metro|동대문역사문화공원|중구|37.5652|127.0079
2|Seoul Metro|신당|중구|37.5656|127.0196
2|Seoul Metro|상왕십리|성동구|37.5643|127.0293
2|Seoul Metro|왕십리|성동구|37.5612|127.0370
2|Seoul Metro|한양대|성동구|37.5555|127.0436
2|Seoul Metro|뚝섬|성동구|37.5474|127.0474
2|Seoul Metro|성수|성동구|37.5446|127.0560
2|Seoul Metro|건대입구|광진구|37.5404|127.0692
2|Seoul Metro|구의|광진구|37.5370|127.0857
2|Seoul Metro|강변|광진구|37.5352|127.0947
2|Seoul Metro|잠실나루|송파구|37.5207|127.1037
2|Seoul Metro|잠실|송파구|37.5133|127.1001
2|Seoul Metro|잠실새내|송파구|37.5116|127.0863
2|Seoul Metro|종합운동장|송파구|37.5110|127.0736
2|Seoul Metro|삼성|강남구|37.5088|127.0631
2|Seoul Metro|선릉|강남구|37.5045|127.0490
2|Seoul Metro|역삼|강남구|37.5006|127.0364
2|Seoul Metro|강남|강남구|37.4979|127.0276
2|Seoul Metro|교대|서초구|37.4934|127.0140
2|Seoul Metro|서초|서초구|37.4918|127.0077
2|Seoul Metro|방배|서초구|37.4815|126.9976
2|Seoul Metro|사당|동작구|37.4765|126.9816
2|Seoul Metro|낙성대|관악구|37.4769|126.9637
2|Seoul Metro|서울대입구|관악구|37.4812|126.9527
2|Seoul Metro|봉천|관악구|37.4825|126.9417
2|Seoul Metro|신림|관악구|37.4842|126.9297
2|Seoul Metro|신대방|동작구|37.4875|126.9131
2|Seoul Metro|구로디지털단지|구로구|37.4852|126.9015
2|Seoul Metro|대림|구로구|37.4932|126.8959
2|Seoul Metro|신도림|구로구|37.5088|126.8913
2|Seoul Metro|문래|영등포구|37.5180|126.8947
2|Seoul Metro|영등포구청|영등포구|37.5250|126.8965
2|Seoul Metro|당산|영등포구|37.5349|126.9025
2|Seoul Metro|합정|마포구|37.5496|126.9139
2|Seoul Metro|홍대입구|마포구|37.5572|126.9245
2|Seoul Metro|신촌|마포구|37.5552|126.9369
2|Seoul Metro|이대|마포구|37.5567|126.9460
2|Seoul Metro|아현|마포구|37.5574|126.9562
2|Seoul Metro|충정로|서대문구|37.5598|126.9636
2|Seoul Metro|용답|성동구|37.5619|127.0509
2|Seoul Metro|신답|성동구|37.5700|127.0465
2|Seoul Metro|용두|동대문구|37.5740|127.0380
2|Seoul Metro|신설동|동대문구|37.5753|127.0250
2|Seoul Metro|도림천|구로구|37.5143|126.8827
2|Seoul Metro|양천구청|양천구|37.5124|126.8655
2|Seoul Metro|신정네거리|양천구|37.5199|126.8526
2|Seoul Metro|까치산|강서구|37.5317|126.8466
3|Seoul Metro|구파발|은평구|37.6367|126.9188
3|Seoul Metro|연신내|은평구|37.6190|126.9210
3|Seoul Metro|불광|은평구|37.6105|126.9298
3|Seoul Metro|녹번|은평구|37.6009|126.9356
3|Seoul Metro|홍제|서대문구|37.5890|126.9437
3|Seoul Metro|무악재|서대문구|37.5824|126.9501
3|Seoul Metro|독립문|서대문구|37.5745|126.9579
3|Seoul Metro|경복궁|종로구|37.5757|126.9735
3|Seoul Metro|안국|종로구|37.5765|126.9854
3|Seoul Metro|종로3가|종로구|37.5717|126.9915
3|Seoul Metro|을지로3가|중구|37.5662|126.9925
3|Seoul Metro|충무로|중구|37.5613|126.9943
3|Seoul Metro|동대입구|중구|37.5590|127.0054
3|Seoul Metro|약수|중구|37.5543|127.0106
3|Seoul Metro|금호|성동구|37.5481|127.0159
3|Seoul Metro|옥수|성동구|37.5404|127.0185
3|Seoul Metro|압구정|강남구|37.5270|127.0285
3|Seoul Metro|신사|강남구|37.5164|127.0203
3|Seoul Metro|잠원|서초구|37.5129|127.0112
3|Seoul Metro|고속터미널|서초구|37.5049|127.0049
3|Seoul Metro|교대|서초구|37.4929|127.0146
3|Seoul Metro|남부터미널|서초구|37.4850|127.0162
3|Seoul Metro|양재|서초구|37.4844|127.0343
3|Seoul Metro|매봉|강남구|37.4870|127.0468
3|Seoul Metro|도곡|강남구|37.4909|127.0554
3|Seoul Metro|대치|강남구|37.4946|127.0634
3|Seoul Metro|학여울|강남구|37.4966|127.0707
3|Seoul Metro|대청|강남구|37.4935|127.0795
3|Seoul Metro|일원|강남구|37.4836|127.0845
3|Seoul Metro|수서|강남구|37.4873|127.1018
3|Seoul Metro|가락시장|송파구|37.4925|127.1182
3|Seoul Metro|경찰병원|송파구|37.4959|127.1243
3|Seoul Metro|오금|송파구|37.5020|127.1283
4|Seoul Metro|당고개|노원구|37.6702|127.0791
4|Seoul Metro|상계|노원구|37.6610|127.0735
4|Seoul Metro|노원|노원구|37.6560|127.0630
4|Seoul Metro|창동|도봉구|37.6532|127.0475
4|Seoul Metro|쌍문|도봉구|37.6485|127.0347
4|Seoul Metro|수유|강북구|37.6380|127.0257
4|Seoul Metro|미아|강북구|37.6266|127.0260
4|Seoul Metro|미아사거리|강북구|37.6132|127.0300
4|Seoul Metro|길음|성북구|37.6034|127.0250
4|Seoul Metro|성신여대입구|성북구|37.5927|127.0165
4|Seoul Metro|한성대입구|성북구|37.5885|127.0061
4|Seoul Metro|혜화|종로구|37.5822|127.0018
4|Seoul Metro|동대문|종로구|37.5710|127.0111
4|Seoul Metro|동대문역사문화공원|중구|37.5653|127.0077
4|Seoul Metro|충무로|중구|37.5612|126.9942
4|Seoul Metro|명동|중구|37.5609|126.9863
4|Seoul Metro|회현|중구|37.5585|126.9782
4|Seoul Metro|서울역|중구|37.5532|126.9725
4|Seoul Metro|숙대입구|용산구|37.5448|126.9719
4|Seoul Metro|삼각지|용산구|37.5347|126.9731
4|Seoul Metro|신용산|용산구|37.5292|126.9678
4|Seoul Metro|이촌|용산구|37.5221|126.9743
4|Seoul Metro|동작|동작구|37.5028|126.9796
4|Seoul Metro|총신대입구(이수)|동작구|37.4868|126.9821
4|Seoul Metro|사당|동작구|37.4763|126.9815
4|Seoul Metro|남태령|서초구|37.4637|126.9888
5|Seoul Metro|방화|강서구|37.5775|126.8128
5|Seoul Metro|개화산|강서구|37.5726|126.8067
5|Seoul Metro|김포공항|강서구|37.5624|126.8013
5|Seoul Metro|송정|강서구|37.5612|126.8115
5|Seoul Metro|마곡|강서구|37.5602|126.8255
5|Seoul Metro|발산|강서구|37.5585|126.8376
5|Seoul Metro|우장산|강서구|37.5484|126.8364
5|Seoul Metro|화곡|강서구|37.5416|126.8404
5|Seoul Metro|까치산|강서구|37.5316|126.8466
5|Seoul Metro|신정|양천구|37.5248|126.8560
5|Seoul Metro|목동|양천구|37.5262|126.8646
5|Seoul Metro|오목교|양천구|37.5245|126.8750
5|Seoul Metro|양평|영등포구|37.5255|126.8857
5|Seoul Metro|영등포구청|영등포구|37.5245|126.8957
5|Seoul Metro|영등포시장|영등포구|37.5226|126.9051
5|Seoul Metro|신길|영등포구|37.5170|126.9175
5|Seoul Metro|여의도|영등포구|37.5216|126.9243
5|Seoul Metro|여의나루|영등포구|37.5271|126.9329
5|Seoul Metro|마포|마포구|37.5395|126.9458
5|Seoul Metro|공덕|마포구|37.5443|126.9514
5|Seoul Metro|애오개|마포구|37.5534|126.9567
5|Seoul Metro|충정로|서대문구|37.5600|126.9635
5|Seoul Metro|서대문|종로구|37.5657|126.9666
5|Seoul Metro|광화문|종로구|37.5710|126.9768
5|Seoul Metro|종로3가|종로구|37.5714|126.9917
5|Seoul Metro|을지로4가|중구|37.5667|126.9979
5|Seoul Metro|동대문역사문화공원|중구|37.5657|127.0090
5|Seoul Metro|청구|중구|37.5602|127.0138
5|Seoul Metro|신금호|성동구|37.5545|127.0205
5|Seoul Metro|행당|성동구|37.5573|127.0295
5|Seoul Metro|왕십리|성동구|37.5612|127.0377
5|Seoul Metro|마장|성동구|37.5661|127.0429
5|Seoul Metro|답십리|동대문구|37.5671|127.0527
5|Seoul Metro|장한평|동대문구|37.5614|127.0646
5|Seoul Metro|군자|광진구|37.5572|127.0795
5|Seoul Metro|아차산|광진구|37.5517|127.0897
5|Seoul Metro|광나루|광진구|37.5453|127.1035
5|Seoul Metro|천호|강동구|37.5386|127.1236
5|Seoul Metro|강동|강동구|37.5358|127.1324
5|Seoul Metro|길동|강동구|37.5378|127.1400
5|Seoul Metro|굽은다리|강동구|37.5456|127.1428
5|Seoul Metro|명일|강동구|37.5514|127.1440
5|Seoul Metro|고덕|강동구|37.5550|127.1541
5|Seoul Metro|상일동|강동구|37.5567|127.1665
5|Seoul Metro|둔촌동|강동구|37.5277|127.1362
5|Seoul Metro|올림픽공원|송파구|37.5162|127.1309
5|Seoul Metro|방이|송파구|37.5086|127.1263
5|Seoul Metro|오금|송파구|37.5021|127.1281
5|Seoul Metro|개롱|송파구|37.4982|127.1350
5|Seoul Metro|거여|송파구|37.4933|127.1441
5|Seoul Metro|마천|송파구|37.4950|127.1527
6|Seoul Metro|응암|은평구|37.5986|126.9156
6|Seoul Metro|역촌|은평구|37.6060|126.9226
6|Seoul Metro|불광|은평구|37.6103|126.9300
6|Seoul Metro|독바위|은평구|37.6185|126.9330
6|Seoul Metro|연신내|은평구|37.6191|126.9207
6|Seoul Metro|구산|은평구|37.6114|126.9172
6|Seoul Metro|새절|은평구|37.5911|126.9137
6|Seoul Metro|증산|은평구|37.5839|126.9099
6|Seoul Metro|디지털미디어시티|마포구|37.5770|126.8998
6|Seoul Metro|월드컵경기장|마포구|37.5696|126.8990
6|Seoul Metro|마포구청|마포구|37.5636|126.9034
6|Seoul Metro|망원|마포구|37.5561|126.9101
6|Seoul Metro|합정|마포구|37.5495|126.9167
6|Seoul Metro|상수|마포구|37.5478|126.9229
6|Seoul Metro|광흥창|마포구|37.5475|126.9319
6|Seoul Metro|대흥|마포구|37.5477|126.9421
6|Seoul Metro|공덕|마포구|37.5437|126.9517
6|Seoul Metro|효창공원앞|용산구|37.5392|126.9614
6|Seoul Metro|삼각지|용산구|37.5353|126.9740
6|Seoul Metro|녹사평|용산구|37.5344|126.9866
6|Seoul Metro|이태원|용산구|37.5345|126.9943
6|Seoul Metro|한강진|용산구|37.5396|127.0017
6|Seoul Metro|버티고개|중구|37.5479|127.0070
6|Seoul Metro|약수|중구|37.5544|127.0103
6|Seoul Metro|청구|중구|37.5604|127.0140
6|Seoul Metro|신당|중구|37.5667|127.0176
6|Seoul Metro|동묘앞|종로구|37.5729|127.0167
6|Seoul Metro|창신|종로구|37.5797|127.0150
6|Seoul Metro|보문|성북구|37.5852|127.0194
6|Seoul Metro|안암|성북구|37.5862|127.0292
6|Seoul Metro|고려대|성북구|37.5904|127.0362
6|Seoul Metro|월곡|성북구|37.6019|127.0415
6|Seoul Metro|상월곡|성북구|37.6064|127.0486
6|Seoul Metro|돌곶이|성북구|37.6105|127.0564
6|Seoul Metro|석계|노원구|37.6147|127.0656
6|Seoul Metro|태릉입구|노원구|37.6179|127.0750
6|Seoul Metro|화랑대|노원구|37.6200|127.0843
6|Seoul Metro|봉화산|중랑구|37.6173|127.0914
7|Seoul Metro|도봉산|도봉구|37.6886|127.0450
7|Seoul Metro|수락산|노원구|37.6778|127.0553
7|Seoul Metro|마들|노원구|37.6651|127.0577
7|Seoul Metro|노원|노원구|37.6549|127.0613
7|Seoul Metro|중계|노원구|37.6450|127.0642
7|Seoul Metro|하계|노원구|37.6367|127.0677
7|Seoul Metro|공릉|노원구|37.6256|127.0730
7|Seoul Metro|태릉입구|노원구|37.6177|127.0752
7|Seoul Metro|먹골|중랑구|37.6107|127.0776
7|Seoul Metro|중화|중랑구|37.6025|127.0792
7|Seoul Metro|상봉|중랑구|37.5966|127.0853
7|Seoul Metro|면목|중랑구|37.5885|127.0875
7|Seoul Metro|사가정|중랑구|37.5808|127.0886
7|Seoul Metro|용마산|중랑구|37.5739|127.0868
7|Seoul Metro|중곡|광진구|37.5659|127.0843
7|Seoul Metro|군자|광진구|37.5572|127.0795
7|Seoul Metro|어린이대공원|광진구|37.5480|127.0745
7|Seoul Metro|건대입구|광진구|37.5402|127.0706
7|Seoul Metro|뚝섬유원지|광진구|37.5315|127.0667
7|Seoul Metro|청담|강남구|37.5193|127.0520
7|Seoul Metro|강남구청|강남구|37.5172|127.0412
7|Seoul Metro|학동|강남구|37.5142|127.0316
7|Seoul Metro|논현|강남구|37.5109|127.0215
7|Seoul Metro|반포|서초구|37.5081|127.0117
7|Seoul Metro|고속터미널|서초구|37.5049|127.0050
7|Seoul Metro|내방|서초구|37.4876|126.9935
7|Seoul Metro|이수|동작구|37.4862|126.9820
7|Seoul Metro|남성|동작구|37.4847|126.9712
7|Seoul Metro|숭실대입구|동작구|37.4963|126.9537
7|Seoul Metro|상도|동작구|37.5030|126.9480
7|Seoul Metro|장승배기|동작구|37.5048|126.9390
7|Seoul Metro|신대방삼거리|동작구|37.4997|126.9282
7|Seoul Metro|보라매|동작구|37.4999|126.9201
7|Seoul Metro|신풍|영등포구|37.5001|126.9092
7|Seoul Metro|대림|구로구|37.4926|126.8951
7|Seoul Metro|남구로|구로구|37.4860|126.8873
7|Seoul Metro|가산디지털단지|금천구|37.4813|126.8827
7|Seoul Metro|천왕|구로구|37.4866|126.8385
7|Seoul Metro|온수|구로구|37.4922|126.8250
8|Seoul Metro|암사|강동구|37.5503|127.1273
8|Seoul Metro|천호|강동구|37.5386|127.1237
8|Seoul Metro|강동구청|강동구|37.5305|127.1206
8|Seoul Metro|몽촌토성|송파구|37.5172|127.1124
8|Seoul Metro|잠실|송파구|37.5145|127.1041
8|Seoul Metro|석촌|송파구|37.5055|127.1069
8|Seoul Metro|송파|송파구|37.4998|127.1122
8|Seoul Metro|가락시장|송파구|37.4927|127.1182
8|Seoul Metro|문정|송파구|37.4858|127.1225
8|Seoul Metro|장지|송파구|37.4787|127.1261
9|Line 9|개화|강서구|37.5786|126.7977
9|Line 9|김포공항|강서구|37.5620|126.8013
9|Line 9|공항시장|강서구|37.5637|126.8107
9|Line 9|신방화|강서구|37.5675|126.8167
9|Line 9|마곡나루|강서구|37.5668|126.8273
9|Line 9|양천향교|강서구|37.5683|126.8418
9|Line 9|가양|강서구|37.5614|126.8543
9|Line 9|증미|강서구|37.5580|126.8612
9|Line 9|등촌|강서구|37.5508|126.8652
9|Line 9|염창|강서구|37.5468|126.8747
9|Line 9|신목동|양천구|37.5441|126.8831
9|Line 9|선유도|영등포구|37.5380|126.8937
9|Line 9|당산|영등포구|37.5341|126.9023
9|Line 9|국회의사당|영등포구|37.5282|126.9178
9|Line 9|여의도|영등포구|37.5213|126.9243
9|Line 9|샛강|영등포구|37.5172|126.9288
9|Line 9|노량진|동작구|37.5136|126.9410
9|Line 9|노들|동작구|37.5129|126.9530
9|Line 9|흑석|동작구|37.5088|126.9636
9|Line 9|동작|동작구|37.5029|126.9793
9|Line 9|구반포|서초구|37.5014|126.9871
9|Line 9|신반포|서초구|37.5034|126.9959
9|Line 9|고속터미널|서초구|37.5050|127.0043
9|Line 9|사평|서초구|37.5045|127.0151
9|Line 9|신논현|강남구|37.5046|127.0250
9|Line 9|언주|강남구|37.5074|127.0340
9|Line 9|선정릉|강남구|37.5102|127.0436
9|Line 9|삼성중앙|강남구|37.5130|127.0531
9|Line 9|봉은사|강남구|37.5149|127.0601
9|Line 9|종합운동장|송파구|37.5110|127.0736
9|Line 9|삼전|송파구|37.5047|127.0873
9|Line 9|석촌고분|송파구|37.5025|127.0969
9|Line 9|석촌|송파구|37.5053|127.1057
9|Line 9|송파나루|송파구|37.5103|127.1125
9|Line 9|한성백제|송파구|37.5165|127.1163
9|Line 9|올림픽공원|송파구|37.5162|127.1310
9|Line 9|둔촌오륜|강동구|37.5194|127.1383
9|Line 9|중앙보훈병원|강동구|37.5292|127.1477
"""

#: Average daily boardings + alightings in a normal year (2019 level), from published station
#: rankings (2024 figures, facts §2(b)); 강남 was the busiest station until 2022, 잠실 after.
FIXED_VOLUME = {
    ("2", "강남"): 160_000,
    ("2", "잠실"): 150_000,
    ("2", "홍대입구"): 148_000,
    ("2", "구로디지털단지"): 105_000,
    ("1", "서울역"): 104_000,
    ("2", "신림"): 103_000,
    ("2", "삼성"): 100_000,
    ("2", "성수"): 86_000,
    ("2", "도림천"): 2_600,
    ("9", "둔촌오륜"): 1_500,
}
#: 잠실's ridership grows faster than the rest (new towers and offices): it overtakes 강남.
GROWTH = {("2", "잠실"): 0.03}
#: Other well-known busy stations (60-95k a day in our simulation).
BUSY = {
    ("3", "고속터미널"),
    ("2", "사당"),
    ("2", "선릉"),
    ("2", "역삼"),
    ("2", "서울대입구"),
    ("2", "을지로입구"),
    ("2", "신도림"),
    ("2", "건대입구"),
    ("2", "신촌"),
    ("2", "교대"),
    ("1", "영등포"),
    ("5", "여의도"),
    ("5", "광화문"),
    ("1", "종각"),
    ("4", "노원"),
    ("4", "수유"),
    ("2", "왕십리"),
    ("2", "합정"),
    ("4", "명동"),
    ("2", "시청"),
    ("1", "신도림"),
    ("4", "혜화"),
    ("2", "역삼"),
    ("9", "신논현"),
    ("2", "서초"),
    ("2", "대림"),
    ("3", "연신내"),
    ("5", "까치산"),
    ("2", "영등포구청"),
    ("9", "여의도"),
}
#: Stations where nightlife and shopping add late-evening boardings.
NIGHTLIFE = {
    "홍대입구",
    "강남",
    "건대입구",
    "신촌",
    "이태원",
    "합정",
    "신림",
    "종각",
    "잠실",
    "성수",
    "명동",
    "을지로3가",
    "신논현",
    "상수",
}
#: Office districts: people alight in the morning and board in the evening.
OFFICE = {
    "시청",
    "을지로입구",
    "을지로3가",
    "을지로4가",
    "종각",
    "광화문",
    "서울역",
    "회현",
    "명동",
    "여의도",
    "여의나루",
    "국회의사당",
    "샛강",
    "삼성",
    "선릉",
    "역삼",
    "강남",
    "교대",
    "서초",
    "구로디지털단지",
    "가산디지털단지",
    "디지털미디어시티",
    "양재",
    "문정",
    "공덕",
    "충정로",
    "종로3가",
    "안국",
    "경복궁",
    "서대문",
    "삼성중앙",
    "언주",
    "선정릉",
    "신논현",
    "강남구청",
    "학동",
    "논현",
    "성수",
    "뚝섬",
    "문래",
    "당산",
    "영등포구청",
    "마곡",
    "마곡나루",
    "발산",
    "신용산",
    "삼각지",
}
#: Group totals of average daily boardings + alightings (normal year): Seoul Metro lines 1-8
#: about 6.6M; all lines 1-9 inside Seoul about 8.8M (facts §2(b), approximate).
TOTAL_SEOUL_METRO = 6_600_000
TOTAL_KORAIL_LINE1 = 1_150_000
TOTAL_LINE9 = 1_050_000

#: Relative size of an ordinary station by line (line 2, the circle line, is the busiest).
LINE_WEIGHT = {"1": 1.2, "2": 1.8, "3": 1.0, "4": 1.1, "5": 0.9, "6": 0.7, "7": 1.0, "8": 0.8, "9": 1.0}

WEEKDAY = np.array([1.00, 1.01, 1.01, 1.02, 1.07, 0.72, 0.52])  # Mon..Sun
HOLIDAY = 0.55
MONTH = np.array([0.95, 0.97, 1.00, 1.02, 1.05, 1.00, 0.99, 0.95, 1.00, 1.02, 1.02, 1.00])
HOURS = np.r_[np.arange(4, 24), np.arange(0, 4)]  # the file's slot order: 04시-05시 ... 03시-04시


def station_table() -> pd.DataFrame:
    rows = [line.split("|") for line in STATIONS.strip().splitlines()]
    df = pd.DataFrame(rows, columns=["line_no", "operator", "station", "gu_name", "lat", "lon"])
    df["lat"] = df["lat"].astype(float)
    df["lon"] = df["lon"].astype(float)
    df["line"] = df["line_no"] + "호선"
    return df


def _bump(h: np.ndarray, mean: float, sd: float) -> np.ndarray:
    d = np.minimum(np.abs(h - mean), 24 - np.abs(h - mean))
    return np.exp(-0.5 * (d / sd) ** 2)


def _norm(v: np.ndarray) -> np.ndarray:
    return v / v.sum()


def hourly_shapes() -> dict[str, np.ndarray]:
    """Shares of a day's flow per one-hour slot (slot h covers h:00-h+1:00) for each kind of trip end."""
    h = np.arange(24, dtype=float)
    service = np.where((h >= 1) & (h < 5), 0.0, 1.0)  # trains stop about 01:00-05:30
    service[5] = 0.8
    shapes = {
        "home_am_board": _bump(h, 7.55, 0.85) + 0.06 * _bump(h, 10.5, 1.5),
        "work_am_alight": _bump(h, 8.2, 0.8) + 0.06 * _bump(h, 10.5, 1.5),
        "work_pm_board": _bump(h, 18.1, 0.95) + 0.25 * _bump(h, 21.0, 1.5),
        "home_pm_alight": _bump(h, 18.45, 1.1) + 0.3 * _bump(h, 21.8, 1.4),
        "other": _bump(h, 15.0, 3.3) + 0.5 * _bump(h, 18.0, 0.9),
        "night_board": _bump(h, 22.5, 1.2) + 0.25 * _bump(h, 0.0, 0.4),
    }
    return {k: _norm(v * service + (h == 4) * 0.0005) for k, v in shapes.items()}


def daily_factors(weather: pd.DataFrame) -> pd.DataFrame:
    """Relative ridership of each day 2019-2023 (mean 1 over 2019), before station effects."""
    cal = city.calendar(START, END)
    f = WEEKDAY[cal["weekday"].to_numpy()]
    f = np.where(cal["is_holiday"], HOLIDAY, f) * MONTH[cal["date"].dt.month.to_numpy() - 1]
    w = weather.set_index("date").reindex(cal["date"])
    wet = w["rain_mm"].to_numpy() >= 20
    cold = w["temp_mean_c"].to_numpy() < -7
    f = f * np.where(wet, 0.96, 1.0) * np.where(cold, 0.97, 1.0)
    cal["base"] = f / f[cal["date"].dt.year.to_numpy() == 2019].mean()
    cal["covid"] = city.activity_factor(cal["date"], "subway")
    cal["night"] = city.activity_factor(cal["date"], "nightlife")
    return cal


def simulate(ctx) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = ctx.rng("subway")
    st = station_table()
    # gu codes and the character of the area around each station (from the shared dongs)
    gu = city.gu_facts().set_index("name_ko")
    st["gu_code"] = st["gu_name"].map(gu["code"])
    dongs = ctx.get("geography", "dongs")
    pop = ctx.get("geography", "dong_population").set_index("dong_code")
    pts = gpd.GeoDataFrame(st, geometry=gpd.points_from_xy(st["lon"], st["lat"]), crs=city.CRS_WGS84).to_crs(
        city.CRS_METRIC
    )
    joined = gpd.sjoin_nearest(pts, dongs[["dong_code", "geometry"]], how="left")
    joined = joined[~joined.index.duplicated()]
    st["dong_code"] = joined["dong_code"].to_numpy()
    daytime = st["dong_code"].map(pop["daytime_ratio"]).to_numpy()
    office = st["station"].isin(OFFICE).to_numpy()
    # business share: office stations mostly receive commuters, the others mostly send them
    b = np.clip(0.3 + 0.25 * (daytime - 0.85), 0.15, 0.55)
    b = np.where(office, rng.uniform(0.65, 0.88, len(st)), b)
    night = st["station"].isin(NIGHTLIFE).to_numpy()
    # volumes: fixed stations, busy stations, the rest drawn and scaled to the group totals
    key = list(zip(st["line_no"], st["station"]))
    n_lines = st.groupby("station")["line_no"].transform("count").to_numpy()
    line_weight = st["line_no"].map(LINE_WEIGHT).to_numpy()
    vol = rng.lognormal(0.0, 0.45, len(st)) * line_weight * (1 + 0.3 * (n_lines - 1)) * (1 + 0.6 * b)
    fixed = np.array([k in FIXED_VOLUME for k in key])
    busy = np.array([k in BUSY for k in key]) & ~fixed
    vol = np.where(busy, rng.uniform(62_000, 94_000, len(st)), vol)
    vol = np.where(fixed, [FIXED_VOLUME.get(k, 0) for k in key], vol)
    free = ~fixed & ~busy
    # the network is (nearly) closed: morning boardings at homes = morning alightings at work,
    # so the volume-weighted business share must be one half; shift the non-office stations
    for _ in range(3):
        gap = 0.5 - np.average(b, weights=vol)
        b = np.where(office, b, np.clip(b + gap * vol.sum() / vol[~office].sum(), 0.1, 0.6))
    for op, total in (
        ("Seoul Metro", TOTAL_SEOUL_METRO),
        ("Korail", TOTAL_KORAIL_LINE1),
        ("Line 9", TOTAL_LINE9),
    ):
        m = (st["operator"] == op).to_numpy()
        left = total - vol[m & ~free].sum()
        vol[m & free] = vol[m & free] / vol[m & free].sum() * left
    vol = np.where(free, np.clip(vol, 4_000, 58_000), vol)
    st["daily_volume_2019"] = np.round(vol).astype(np.int64)
    st["business_share"] = b.round(3)
    st["nightlife"] = night

    # day factors -> month sums, per station (COVID hits office and nightlife areas harder)
    cal = daily_factors(ctx.get("weather", "weather_daily"))
    cal["month"] = cal["date"].dt.to_period("M")
    weekday_like = (~cal["is_day_off"]).astype(float)
    months = cal["month"].unique()
    mi = pd.factorize(cal["month"])[0]
    years = (cal["date"].dt.year + (cal["date"].dt.day_of_year - 1) / 365.0 - 2019).to_numpy()
    shapes = hourly_shapes()
    nS, nM = len(st), len(months)
    board = np.zeros((nM, nS, 24))
    alight = np.zeros((nM, nS, 24))
    c = 0.55  # share of trips that are commutes on a working day
    for s in range(nS):
        grow = (1 + GROWTH.get(key[s], 0.0)) ** years
        covid = cal["covid"].to_numpy() ** (1.0 + 1.2 * (b[s] - 0.5))  # office areas fall further
        if night[s]:
            covid = covid * (cal["night"].to_numpy() / cal["covid"].to_numpy()) ** 0.35
        day_total = vol[s] * cal["base"].to_numpy() * covid * grow  # boardings + alightings
        commute = day_total * c * np.where(weekday_like > 0, 1.0, 0.3)
        other = day_total - commute
        half_c = np.bincount(mi, commute / 2, nM)
        half_o = np.bincount(mi, other / 2, nM)
        R, W = half_c * (1 - b[s]), half_c * b[s]
        nb = 0.18 if night[s] else 0.05
        board[:, s] = (
            R[:, None] * shapes["home_am_board"]
            + W[:, None] * shapes["work_pm_board"]
            + half_o[:, None] * ((1 - nb) * shapes["other"] + nb * shapes["night_board"])
        )
        alight[:, s] = (
            W[:, None] * shapes["work_am_alight"]
            + R[:, None] * shapes["home_pm_alight"]
            + half_o[:, None] * shapes["other"]
        )
    noise = rng.lognormal(0.0, 0.025, (nM, nS, 1))
    board = np.round(board * noise * rng.lognormal(0, 0.02, board.shape)).astype(np.int64)
    alight = np.round(alight * noise * rng.lognormal(0, 0.02, alight.shape)).astype(np.int64)
    month_start = pd.PeriodIndex(months).to_timestamp()
    long = pd.DataFrame(
        {
            "month": np.repeat(month_start.values, nS * 24),
            "line": np.tile(np.repeat(st["line"].to_numpy(), 24), nM),
            "station": np.tile(np.repeat(st["station"].to_numpy(), 24), nM),
            "hour": np.tile(np.arange(24), nM * nS).astype(np.int64),
            "boardings": board.ravel(),
            "alightings": alight.ravel(),
        }
    )
    return st, long


def raw_csv(long: pd.DataFrame, years: tuple[int, ...]) -> bytes:
    """The portal file: 사용월, 호선명, 지하철역, 48 slot columns, 작업일자; newest month first; CP949."""
    sub = long[long["month"].dt.year.isin(years)]
    b = sub.pivot_table(index=["month", "line", "station"], columns="hour", values="boardings", sort=False)
    a = sub.pivot_table(index=["month", "line", "station"], columns="hour", values="alightings", sort=False)
    out = pd.DataFrame(index=b.index)
    for h in HOURS:
        label = f"{h:02d}시-{(h + 1) % 24:02d}시"
        out[f"{label} 승차인원"] = b[h].astype(np.int64)
        out[f"{label} 하차인원"] = a[h].astype(np.int64)
    out = out.reset_index()
    work = (out["month"] + pd.offsets.MonthBegin(1) + pd.Timedelta(days=2)).dt.strftime("%Y%m%d")
    out.insert(0, "사용월", out.pop("month").dt.strftime("%Y%m"))
    out = out.rename(columns={"line": "호선명", "station": "지하철역"})
    out["작업일자"] = work
    out = out.sort_values(["사용월", "호선명", "지하철역"], ascending=[False, True, True], kind="stable")
    return out.to_csv(index=False, lineterminator="\n").encode("cp949")


def raw_fields() -> list[Field]:
    fields = [
        Field("사용월", "integer", "Month of use, YYYYMM.", "사용월", required=True),
        Field("호선명", "string", "Line name, e.g. '2호선'.", "호선명", required=True),
        Field("지하철역", "string", "Station name.", "지하철역", required=True),
    ]
    for h in HOURS:
        label = f"{h:02d}시-{(h + 1) % 24:02d}시"
        fields.append(
            Field(
                f"{label} 승차인원",
                "integer",
                f"Boardings in the hour {label} summed over the month.",
                f"{label} 승차인원",
                unit="persons per month",
                minimum=0,
            )
        )
        fields.append(
            Field(
                f"{label} 하차인원",
                "integer",
                f"Alightings in the hour {label} summed over the month.",
                f"{label} 하차인원",
                unit="persons per month",
                minimum=0,
            )
        )
    fields.append(Field("작업일자", "integer", "Processing date of the row, YYYYMMDD.", "작업일자"))
    return fields


RAW_YEARS = (2019, 2020)


def build(ctx) -> list[Output]:
    st, long = simulate(ctx)
    imitates = "서울시 지하철 호선별 역별 시간대별 승하차 인원 정보 (Seoul subway boardings and alightings by line, station and hour)"
    sources = [
        FACTS_SOURCE,
        {
            "title": "Seoul Open Data Plaza OA-12252 (layout imitated; values synthetic)",
            "path": "https://data.seoul.go.kr/dataList/OA-12252/S/1/datasetView.do",
        },
        {
            "title": "Published 2024 station rankings (잠실 156,177; 홍대입구 150,369; 강남 149,757; 도림천 2,615 a day) via m.wowtv.co.kr A202502190231 and m.mbn.co.kr 5028421",
            "path": "https://m.mbn.co.kr/news/economy/5028421",
        },
    ]
    notes = [
        "Synthetic monthly totals. Calibrated so that a normal (2019) day carries about 6.6M boardings+alightings on Seoul Metro lines 1-8 and about 8.8M on lines 1-9 inside Seoul (published 2024 magnitudes, used as approximate 2019 levels).",
        "Busiest stations as published: 강남, 잠실 (line 2) and 홍대입구 about 150k a day, then 구로디지털단지, 서울역 (line 1), 신림, 삼성 about 100k; quietest 도림천 (line 2, about 2.6k) and 둔촌오륜 (line 9, about 1.5k). 강남 is the busiest in 2019; 잠실 grows faster and leads by 2023.",
        "COVID: ridership follows the shared distancing driver (about a fifth down in 2020, lowest in 2021, partial recovery by 2023: still about 7 % below 2019); office and nightlife stations fall further. Weekends, holidays, heavy rain and cold days lower the counts; May is the busiest month.",
        "Hourly profile: residential stations board in the morning (07-09) and alight in the evening; office stations alight 08-09 and board 18-19; the whole system peaks at 18-19.",
        "Line 1 includes the Korail-run stations inside Seoul (the real file lists them as 경부선, 경원선, 경인선); stations outside Seoul and stations opened after 2019 (e.g. 신내, 강일) are left out.",
    ]
    long_fields = [
        Field("month", "date", "First day of the month of use.", "사용월", required=True),
        Field("line", "string", "Line name, e.g. '2호선'.", "호선명", required=True, categorical=True),
        Field(
            "station",
            "string",
            "Station name (Korean, as in the portal file).",
            "지하철역",
            required=True,
            categorical=True,
        ),
        Field(
            "hour",
            "integer",
            "Start of the one-hour slot (0-23); the file's '18시-19시' is hour 18.",
            "시간대",
            unit="hour",
            minimum=0,
            maximum=23,
            required=True,
        ),
        Field(
            "boardings",
            "integer",
            "Boardings in that hour, summed over the month.",
            "승차인원",
            unit="persons per month",
            minimum=0,
            required=True,
        ),
        Field(
            "alightings",
            "integer",
            "Alightings in that hour, summed over the month.",
            "하차인원",
            unit="persons per month",
            minimum=0,
            required=True,
        ),
    ]
    st_out = st[
        [
            "line",
            "station",
            "operator",
            "gu_code",
            "gu_name",
            "dong_code",
            "lat",
            "lon",
            "daily_volume_2019",
            "business_share",
            "nightlife",
        ]
    ].copy()
    st_out["is_transfer"] = st_out.groupby("station")["line"].transform("count") > 1
    st_fields = [
        Field("line", "string", "Line name, e.g. '2호선'.", "호선명", required=True, categorical=True),
        Field("station", "string", "Station name (Korean).", "역명", required=True),
        Field(
            "operator",
            "string",
            "Operator of the station on this line (Seoul Metro, Korail, Line 9).",
            "운영기관",
            enum=("Seoul Metro", "Korail", "Line 9"),
            categorical=True,
        ),
        Field(
            "gu_code",
            "string",
            "MOIS 5-digit code of the gu the station stands in.",
            "자치구코드",
            required=True,
            pattern=r"11\d{3}",
        ),
        Field("gu_name", "string", "Gu name in Korean.", "자치구명", required=True),
        Field(
            "dong_code",
            "string",
            "MOIS 8-digit code of the nearest administrative dong (course polygons).",
            "행정동코드",
            pattern=r"11\d{6}",
        ),
        Field(
            "lat",
            "number",
            "Approximate latitude of the station (our estimate, not a survey point).",
            "위도",
            unit="degrees (WGS84)",
            minimum=37.42,
            maximum=37.71,
        ),
        Field(
            "lon",
            "number",
            "Approximate longitude of the station.",
            "경도",
            unit="degrees (WGS84)",
            minimum=126.76,
            maximum=127.19,
        ),
        Field(
            "daily_volume_2019",
            "integer",
            "Simulated average daily boardings + alightings in 2019 (the station's size in the simulation).",
            unit="persons per day",
            minimum=0,
        ),
        Field(
            "business_share",
            "number",
            "Share of commuters who work (rather than live) near the station, used by the simulation.",
            minimum=0,
            maximum=1,
        ),
        Field(
            "nightlife",
            "boolean",
            "True where nightlife and shopping add late-evening boardings in the simulation.",
        ),
        Field("is_transfer", "boolean", "True when the station name appears on more than one line."),
    ]
    return [
        Output(
            Resource(
                name="subway_ridership",
                dataset=DATASET,
                title="Subway boardings and alightings by line, station and hour, monthly 2019-2023 (synthetic)",
                description="Monthly totals of boardings and alightings per line, station and hour of day for lines 1-9 inside Seoul, in a tidy long table (one row per month, line, station and hour).",
                path="subway/subway_ridership.parquet",
                format="parquet",
                provenance="synthetic",
                schema=Schema(long_fields, ["month", "line", "station", "hour"]),
                imitates=imitates,
                oa="OA-12252",
                sources=sources,
                notes=notes,
            ),
            long,
        ),
        Output(
            Resource(
                name="subway_ridership_raw",
                dataset=DATASET,
                title="Subway ridership by hour, portal-style 48-column CSV, 2019-2020 (synthetic, CP949)",
                description="The same numbers for 2019 and 2020 in the portal's wide layout: 사용월, 호선명, 지하철역, then '04시-05시 승차인원', '04시-05시 하차인원', ... '03시-04시 하차인원', 작업일자. Newest month first; CP949.",
                path="subway/CARD_SUBWAY_TIME_2019_2020.csv",
                format="csv",
                provenance="synthetic",
                role="raw",
                schema=Schema(raw_fields()),
                imitates=imitates,
                oa="OA-12252",
                sources=sources,
                encoding="cp949",
                notes=notes[:1]
                + [
                    "Only 2019-2020 are kept in the raw layout to save space; the clean table covers 2019-2023.",
                    "Slots run from 04시-05시 to 03시-04시 (the service day starts at 04:00).",
                ],
            ),
            raw_csv(long, RAW_YEARS),
        ),
        Output(
            Resource(
                name="subway_stations",
                dataset=DATASET,
                title="Subway stations of lines 1-9 inside Seoul, with approximate positions",
                description="One row per line and station (transfer stations once per line): real names, operator, gu, nearest dong and an approximate position, plus the simulation's station size.",
                path="subway/subway_stations.csv",
                format="csv",
                provenance="synthetic",
                schema=Schema(st_fields, ["line", "station"]),
                imitates="서울시 역사마스터 정보 (station master list; positions approximate)",
                sources=sources,
                notes=[
                    "Station names, lines and districts are real; positions are our approximate estimates (typically within a few hundred metres); volumes and shares are simulation parameters."
                ],
            ),
            st_out,
        ),
    ]
