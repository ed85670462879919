EQUAL = {"type": "equal"}

SHELF = """<annotation>
  <folder>shelf</folder>
  <filename>shelf_0001.jpg</filename>
  <size><width>640</width><height>480</height><depth>3</depth></size>
  <segmented>0</segmented>
  <object>
    <name>cola</name><pose>Unspecified</pose><truncated>0</truncated><difficult>0</difficult>
    <bndbox><xmin>48</xmin><ymin>120</ymin><xmax>156</xmax><ymax>410</ymax></bndbox>
  </object>
  <object>
    <name>chips</name>
    <bndbox><xmin>300</xmin><ymin>200</ymin><xmax>520</xmax><ymax>460</ymax></bndbox>
  </object>
</annotation>"""

# 仿照 LabelImg 保存的文件：制表符缩进，带 path、source 等字段
LABELIMG = """<annotation>
\t<folder>pets</folder>
\t<filename>cat_dog_07.png</filename>
\t<path>/home/learner/pets/cat_dog_07.png</path>
\t<source>
\t\t<database>Unknown</database>
\t</source>
\t<size>
\t\t<width>500</width>
\t\t<height>375</height>
\t\t<depth>3</depth>
\t</size>
\t<segmented>0</segmented>
\t<object>
\t\t<name>dog</name>
\t\t<pose>Unspecified</pose>
\t\t<truncated>1</truncated>
\t\t<difficult>0</difficult>
\t\t<bndbox>
\t\t\t<xmin>1</xmin>
\t\t\t<ymin>34</ymin>
\t\t\t<xmax>260</xmax>
\t\t\t<ymax>375</ymax>
\t\t</bndbox>
\t</object>
\t<object>
\t\t<name>cat</name>
\t\t<pose>Unspecified</pose>
\t\t<truncated>0</truncated>
\t\t<difficult>1</difficult>
\t\t<bndbox>
\t\t\t<xmin>221</xmin>
\t\t\t<ymin>90</ymin>
\t\t\t<xmax>487</xmax>
\t\t\t<ymax>301</ymax>
\t\t</bndbox>
\t</object>
</annotation>
"""

EMPTY = """<annotation>
  <folder>street</folder>
  <filename>street_0042.jpg</filename>
  <size><width>1024</width><height>768</height><depth>3</depth></size>
  <segmented>0</segmented>
</annotation>"""

FLOATS = """<annotation>
  <filename>scan_3.jpg</filename>
  <size><width>800.0</width><height>600.0</height><depth>1</depth></size>
  <object>
    <name>bottle</name>
    <bndbox><xmin>12.0</xmin><ymin>30.6</ymin><xmax>99.9</xmax><ymax>250.2</ymax></bndbox>
  </object>
</annotation>"""

PARTS = """<annotation>
  <filename>2008_000034.jpg</filename>
  <size><width>500</width><height>400</height><depth>3</depth></size>
  <object>
    <name>person</name>
    <pose>Frontal</pose>
    <bndbox><xmin>150</xmin><ymin>40</ymin><xmax>330</xmax><ymax>390</ymax></bndbox>
    <part>
      <name>head</name>
      <bndbox><xmin>210</xmin><ymin>45</ymin><xmax>270</xmax><ymax>110</ymax></bndbox>
    </part>
    <part>
      <name>hand</name>
      <bndbox><xmin>152</xmin><ymin>200</ymin><xmax>185</xmax><ymax>240</ymax></bndbox>
    </part>
  </object>
  <object>
    <name>bicycle</name>
    <bndbox><xmin>90</xmin><ymin>220</ymin><xmax>420</xmax><ymax>398</ymax></bndbox>
  </object>
</annotation>"""

SEVEN = "<annotation><filename>crowd.jpg</filename><size><width>320</width><height>240</height><depth>3</depth></size>" + "".join(
    f"<object><name>apple</name><difficult>{i % 2}</difficult><bndbox><xmin>{10 * i}</xmin><ymin>{5 * i}</ymin>"
    f"<xmax>{10 * i + 30}</xmax><ymax>{5 * i + 25}</ymax></bndbox></object>"
    for i in range(7)) + "</annotation>"

# 元素顺序与 LabelImg 不同（bndbox 写在 name 前面，xmax 写在 xmin 前面）
REORDERED = """<annotation>
  <size><depth>3</depth><height>300</height><width>400</width></size>
  <object>
    <bndbox><xmax>200</xmax><ymax>150</ymax><xmin>100</xmin><ymin>50</ymin></bndbox>
    <name>  box </name>
  </object>
  <filename>odd_order.jpg</filename>
</annotation>"""


def visible():
    return [
        {"name": "讲义中的货架图片", "call": "parse_voc", "args": [SHELF], "check": EQUAL},
        {"name": "LabelImg 保存的文件", "call": "parse_voc", "args": [LABELIMG], "check": EQUAL},
    ]


def hidden():
    return [
        {"name": "没有物体", "call": "parse_voc", "args": [EMPTY], "check": EQUAL},
        {"name": "坐标写成小数", "call": "parse_voc", "args": [FLOATS], "check": EQUAL},
        {"name": "物体里嵌套 part", "call": "parse_voc", "args": [PARTS], "check": EQUAL},
        {"name": "七个同类物体", "call": "parse_voc", "args": [SEVEN], "check": EQUAL},
        {"name": "元素顺序不同", "call": "parse_voc", "args": [REORDERED], "check": EQUAL},
    ]
