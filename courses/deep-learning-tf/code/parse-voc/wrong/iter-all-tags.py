# 错误：用 root.iter 收集文档中所有的 name 和 bndbox，把嵌套在 <part> 里的部位也当成了物体。passes visible: yes
from xml.etree import ElementTree as ET


def parse_voc(xml_text):
    root = ET.fromstring(xml_text)
    names = [e.text.strip() for e in root.iter("name")]
    boxes = [tuple(int(float(b.find(k).text)) for k in ("xmin", "ymin", "xmax", "ymax"))
             for b in root.iter("bndbox")]
    size = root.find("size")
    return {
        "filename": root.find("filename").text.strip(),
        "size": tuple(int(float(size.find(k).text)) for k in ("width", "height", "depth")),
        "objects": [{"name": n, "bbox": b} for n, b in zip(names, boxes)],
    }
