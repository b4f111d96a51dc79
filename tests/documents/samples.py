"""Sample documents as plain dicts, shortened from tests/data/examples/*.txt (copies of the originals).

They follow docs/plan-format.md and cover every structure: sections with paragraphs, items,
sub-items (a), b)), level-3 dashes, bullets with italic slogans, inline and heading assignments,
closing paragraphs, an undated unnumbered draft, and the signer kinds (plain title with a
concurrent position, KT.).
"""

# ruff: noqa: E501  (prose copied from the example plans)
from __future__ import annotations

from datetime import date

AGENCIES: dict[str, dict] = {
    "UBND-TV": {
        "code": "UBND-TV",
        "name": "Ủy ban nhân dân tỉnh Trà Vinh",
        "abbreviation": "UBND",
        "place": "Trà Vinh",
        "level": "province",
    },
    "BCDNQ-TV": {
        "code": "BCDNQ-TV",
        "name": "Ban Chỉ đạo về Nhân quyền tỉnh Trà Vinh",
        "header_name": "Ban Chỉ đạo về Nhân quyền\ntỉnh Trà Vinh",
        "abbreviation": "BCĐNQ",
        "place": "Trà Vinh",
        "level": "province",
        "parent": "UBND-TV",
        "header_parent": "UBND tỉnh Trà Vinh",
    },
    "CA-TV": {
        "code": "CA-TV",
        "name": "Công an tỉnh",
        "abbreviation": "CAT",
        "place": "Trà Vinh",
        "level": "province",
        "header_parent": "Bộ Công an",
        "header_name": "Công an tỉnh Trà Vinh",
    },
    "STTTT-TV": {
        "code": "STTTT-TV",
        "name": "Sở Thông tin và Truyền thông",
        "abbreviation": "STTTT",
        "place": "Trà Vinh",
        "level": "province",
        "parent": "UBND-TV",
    },
    "SVHTTDL-TV": {
        "code": "SVHTTDL-TV",
        "name": "Sở Văn hóa, Thể thao và Du lịch",
        "abbreviation": "SVHTTDL",
        "place": "Trà Vinh",
        "level": "province",
        "parent": "UBND-TV",
    },
    "UBND-NT": {
        "code": "UBND-NT",
        "name": "Ủy ban nhân dân tỉnh Ninh Thuận",
        "header_name": "Ủy ban nhân dân\ntỉnh Ninh Thuận",
        "abbreviation": "UBND",
        "place": "Ninh Thuận",
        "level": "province",
    },
    "BTG-NT": {
        "code": "BTG-NT",
        "name": "Ban Tuyên giáo Tỉnh ủy",
        "abbreviation": "BTGTU",
        "place": "Ninh Thuận",
        "level": "province",
    },
    "STTTT-NT": {
        "code": "STTTT-NT",
        "name": "Sở Thông tin và Truyền thông",
        "short_name": "Sở TT&TT",
        "abbreviation": "STTTT",
        "place": "Ninh Thuận",
        "level": "province",
        "parent": "UBND-NT",
    },
    "VP-NT": {
        "code": "VP-NT",
        "name": "Văn phòng Ủy ban nhân dân tỉnh",
        "abbreviation": "VP",
        "place": "Ninh Thuận",
        "level": "province",
    },
    "CA-NT": {
        "code": "CA-NT",
        "name": "Công an tỉnh",
        "abbreviation": "CAT",
        "place": "Ninh Thuận",
        "level": "province",
    },
}

SLOGANS = [
    "“Bảo đảm quyền con người cho tất cả mọi người”;",
    "“Việt Nam chung sức cùng cộng đồng quốc tế thúc đẩy và bảo vệ quyền con người”;",
    "“Việt Nam quyết tâm đẩy lùi nạn mua, bán người”;",
    "“Việt Nam tích cực hoàn thiện hệ thống pháp luật bảo đảm quyền con người, quyền công dân”.",
]

TRA_VINH: dict = {
    "format": "kehoach/plan@1",
    "code": "tra-vinh-2024-nhan-quyen",
    "issuer": "BCDNQ-TV",
    "standing_agency": "CA-TV",
    "type": "KH",
    "title": "Triển khai đợt cao điểm tuyên truyền thành tựu đảm bảo quyền con người nhân kỷ niệm "
    "76 năm Ngày Nhân quyền thế giới (10/12/1948 - 10/12/2024) trên địa bàn tỉnh Trà Vinh",
    "legal_basis": [
        "Thực hiện Kế hoạch số 05/KH-BCĐNQ ngày 14 tháng 10 năm 2024 của Trưởng Ban Chỉ đạo Nhân "
        "quyền Chính phủ về việc triển khai đợt cao điểm tuyên truyền thành tựu đảm bảo quyền con "
        "người nhân kỷ niệm 76 năm Ngày Nhân quyền thế giới (10/12/1948 - 10/12/2024)",
    ],
    "preamble": "Ban Chỉ đạo về Nhân quyền tỉnh Trà Vinh xây dựng Kế hoạch thực hiện trên địa bàn "
    "tỉnh như sau:",
    "sections": [
        {
            "heading": "Mục đích, yêu cầu",
            "items": [
                {
                    "text": "Đẩy mạnh công tác thông tin, tuyên truyền về quan điểm, chủ trương, chính sách "
                    "của Đảng, pháp luật của Nhà nước trong việc đảm bảo quyền con người."
                },
                {
                    "text": "Nâng cao nhận thức của cán bộ, công chức, viên chức, người lao động và Nhân "
                    "dân về vấn đề quyền con người."
                },
            ],
        },
        {
            "heading": "Nội dung công tác trọng tâm",
            "items": [
                {
                    "text": "Tổ chức các hoạt động tuyên truyền về quan điểm, chủ trương của Đảng, chính "
                    "sách, pháp luật của Nhà nước trong việc đảm bảo quyền con người ở nước ta."
                },
                {
                    "text": "Lựa chọn và tổ chức treo băng rôn, áp phích, biểu ngữ,... hưởng ứng Ngày Nhân "
                    "quyền thế giới từ ngày 20 tháng 11 năm 2024 đến hết ngày 31 tháng 12 năm "
                    "2024, nội dung cụ thể như sau:",
                    "bullets": [{"text": s, "italic": True} for s in SLOGANS],
                },
            ],
        },
        {
            "heading": "Tổ chức thực hiện",
            "items": [
                {
                    "text": "Căn cứ Kế hoạch này, các cơ quan thành viên Ban Chỉ đạo về Nhân quyền tỉnh "
                    "triển khai thực hiện. Kết quả thực hiện gửi báo cáo đến Cơ quan Thường trực "
                    "Ban Chỉ đạo về Nhân quyền tỉnh (Công an tỉnh) chậm nhất đến ngày 01 tháng 01 "
                    "năm 2025."
                },
            ],
            "assignments": True,
            "closing": [
                "Trong quá trình triển khai thực hiện, nếu có khó khăn, vướng mắc các cơ quan, "
                "đơn vị, địa phương phản ánh về Công an tỉnh (Cơ quan Thường trực Ban Chỉ đạo "
                "về Nhân quyền tỉnh) để được hướng dẫn thực hiện."
            ],
        },
    ],
    "assignments": [
        {
            "agency": "STTTT-TV",
            "role": "lead",
            "inline": True,
            "tasks": [
                "chỉ đạo các cơ quan truyền thông viết bài, xây dựng phóng sự,... và đăng tải, "
                "phát sóng bài viết, phóng sự tuyên truyền thành tựu đảm bảo quyền con người."
            ],
        },
        {
            "agency": "SVHTTDL-TV",
            "role": "cooperate",
            "inline": True,
            "tasks": [
                "phối hợp với các đơn vị liên quan tổ chức treo băng rôn, áp phích, biểu ngữ."
            ],
        },
        {
            "agency": "CA-TV",
            "role": "lead",
            "inline": True,
            "label": "Công an tỉnh (Cơ quan Thường trực Ban Chỉ đạo về Nhân quyền tỉnh)",
            "tasks": ["theo dõi, đôn đốc việc triển khai thực hiện Kế hoạch này."],
            "reports": False,
        },
    ],
    "schedule": {"kind": "once", "due": date(2025, 1, 1)},
    "recipients": [
        "BCĐ NQ TW (b/c)",
        "Cục Đối ngoại - Bộ Công an (b/c)",
        "Thành viên BCĐ về NQ tỉnh",
        "UBND các huyện, thị xã, thành phố",
    ],
    "archive": "VT, NC",
    "archive_copies": "04",
    "signer": {
        "authority": "",
        "authority_of": "",
        "title": "TRƯỞNG BAN",
        "position_note": "CHỦ TỊCH UBND TỈNH",
        "name": "Lê Văn Hân",
    },
}

NINH_THUAN: dict = {
    "format": "kehoach/plan@1",
    "code": "ninh-thuan-2023-2028-truyen-thong-quyen-con-nguoi",
    "issuer": "UBND-NT",
    "standing_agency": "STTTT-NT",
    "number": None,
    "issued_on": None,
    "draft_month": 12,
    "draft_year": 2022,
    "title": "Triển khai thực hiện Đề án truyền thông về quyền con người ở Việt Nam trên địa bàn "
    "tỉnh Ninh Thuận giai đoạn 2023-2028",
    "legal_basis": [
        "Thực hiện Quyết định số 1079/QĐ-TTg ngày 14 tháng 9 năm 2022 của Thủ tướng Chính phủ về "
        "phê duyệt Đề án truyền thông về quyền con người ở Việt Nam",
        "Công văn số 5768/BTTTT-TTĐN ngày 28/11/2022 của Bộ Thông tin và Truyền thông về việc "
        "hướng dẫn thực hiện Quyết định số 1079/QĐ-TTg ngày 14/9/2022 của Thủ tướng Chính phủ",
    ],
    "preamble": "Ủy ban nhân dân tỉnh ban hành Kế hoạch triển khai thực hiện Đề án truyền thông "
    "về quyền con người ở Việt Nam trên địa bàn tỉnh Ninh Thuận giai đoạn 2023-2028 "
    "như sau:",
    "sections": [
        {
            "heading": "Quan điểm, mục tiêu, yêu cầu",
            "items": [
                {
                    "heading": "Quan điểm",
                    "bullets": [
                        "Hiểu biết một cách đúng đắn về quyền con người là điều kiện tiên quyết để bảo vệ, "
                        "thúc đẩy quyền con người một cách hiệu quả.",
                        "Công tác tuyên truyền về quyền con người là nhiệm vụ chính trị và trách nhiệm "
                        "thường xuyên của cả hệ thống chính trị, trước mắt và lâu dài.",
                    ],
                },
                {
                    "heading": "Mục tiêu",
                    "items": [
                        {
                            "heading": "Mục tiêu tổng quát",
                            "paragraphs": [
                                "Truyền thông về quyền con người nhằm tạo sự chuyển biến trong "
                                "nhận thức, hiểu biết của toàn xã hội về các quyền con người."
                            ],
                        },
                        {
                            "heading": "Mục tiêu cụ thể đến năm 2028",
                            "bullets": [
                                "100% cơ quan hành chính nhà nước trên địa bàn tỉnh thực hiện cơ chế phát "
                                "ngôn và cung cấp thông tin định kỳ cho báo chí về công tác quyền con người.",
                                "Phối hợp phát hiện, xử lý 90% tin giả, tin xấu độc xâm hại quyền con người "
                                "trên không gian mạng.",
                            ],
                            "items": [
                                {
                                    "text": "Về đối ngoại: tăng cường truyền thông, nâng cao nhận thức về quyền "
                                    "con người."
                                },
                            ],
                        },
                    ],
                },
                {
                    "heading": "Yêu cầu",
                    "bullets": [
                        "Thông tin, truyền thông về quyền con người phải được tiến hành một cách thường "
                        "xuyên, liên tục, với hình thức đa dạng, phong phú.",
                    ],
                },
            ],
        },
        {
            "heading": "Nội dung truyền thông",
            "items": [
                {
                    "text": "Chủ trương của Đảng, chính sách pháp luật của Nhà nước Việt Nam về quyền con "
                    "người."
                },
                {
                    "text": "Tuyên truyền kết quả triển khai các chính sách, pháp luật về bảo đảm, thúc "
                    "đẩy quyền con người."
                },
            ],
        },
        {
            "heading": "Tổ chức thực hiện",
            "assignments": True,
            "closing": [
                "Căn cứ Kế hoạch này, các sở, ban, ngành, địa phương có trách nhiệm triển khai "
                "thực hiện theo nhiệm vụ được phân công; định kỳ hằng năm báo cáo kết quả thực "
                "hiện về Ủy ban nhân dân tỉnh (thông qua Sở Thông tin và Truyền thông) để tổng "
                "hợp, báo cáo Ủy ban nhân dân tỉnh và Bộ Thông tin và Truyền thông theo quy "
                "định."
            ],
        },
    ],
    "assignments": [
        {
            "agency": "BTG-NT",
            "role": "cooperate",
            "label": "Đề nghị Ban Tuyên giáo Tỉnh ủy",
            "tasks": [
                "Hướng dẫn, định hướng công tác tuyên truyền về quyền con người trên địa bàn tỉnh.",
                "Phối hợp với các cơ quan, đơn vị triển khai một số nhiệm vụ theo "
                "chức năng, nhiệm vụ.",
            ],
        },
        {
            "agency": "STTTT-NT",
            "role": "lead",
            "tasks": [
                "Chủ trì triển khai thực hiện Kế hoạch, báo cáo việc thực hiện các hoạt động của Kế "
                "hoạch trên địa bàn tỉnh.",
                "Đẩy mạnh xây dựng và khai thác các tài khoản/kênh thông tin trên mạng xã hội đa ngôn "
                "ngữ, đa kênh phục vụ truyền thông về quyền con người.",
            ],
        },
        {
            "agency": "VP-NT",
            "role": "cooperate",
            "tasks": [
                "Chủ trì, phối hợp với Ban Tuyên giáo Tỉnh ủy, Sở Thông tin và Truyền thông tham mưu "
                "UBND tỉnh cung cấp thông tin về hoạt động đối ngoại nhân quyền của tỉnh."
            ],
        },
        {
            "agency": "CA-NT",
            "role": "cooperate",
            "tasks": [
                "Là cơ quan thường trực Ban Chỉ đạo về Nhân quyền của tỉnh, đôn đốc các sở, ban, "
                "ngành, địa phương trong việc triển khai thực hiện Kế hoạch.",
                "Chủ động theo dõi, nắm bắt thông tin trên mạng xã hội.",
            ],
        },
    ],
    "schedule": {"kind": "yearly", "start": 2023, "end": 2028},
    "recipients": [
        "Bộ TTTT (b/c)",
        "TT. Tỉnh ủy, TT. HĐND tỉnh (b/c)",
        "CT và các PCT UBND tỉnh",
        "Ban Tuyên giáo Tỉnh ủy",
        "Như Mục IV",
        "VPUB: LĐ, CV",
    ],
    "archive": "VT, VXVN. NNN",
    "signer": {
        "authority": "KT.",
        "authority_of": "CHỦ TỊCH",
        "title": "PHÓ CHỦ TỊCH",
        "name": "Nguyễn Long Biên",
    },
}

FIELDS = [
    {"name": "banners", "label": "Số băng rôn, áp phích đã treo", "type": "integer", "unit": "cái"},
    {"name": "articles", "label": "Số tin, bài, phóng sự", "type": "integer", "unit": "tin, bài"},
    {
        "name": "trained_pct",
        "label": "Tỷ lệ cán bộ được tập huấn",
        "type": "percentage",
        "target": 100,
    },
    {"name": "has_training", "label": "Có tổ chức tập huấn", "type": "yesno"},
    {
        "name": "activities",
        "label": "Các hoạt động đã tổ chức",
        "type": "group",
        "fields": [
            {"name": "on", "label": "Ngày", "type": "date"},
            {"name": "form", "label": "Hình thức", "type": "text"},
            {"name": "people", "label": "Số người tham dự", "type": "integer", "unit": "người"},
        ],
    },
    {"name": "difficulties", "label": "Khó khăn, vướng mắc", "type": "textarea"},
    {"name": "proposals", "label": "Đề xuất, kiến nghị", "type": "textarea"},
]

REPORT: dict = {
    "agency": "STTTT-TV",
    "plan_ref": "Kế hoạch số 05/KH-BCĐNQ ngày 05 tháng 11 năm 2024 của Ban Chỉ đạo về Nhân quyền "
    "tỉnh Trà Vinh",
    "period": "năm 2024",
    "addressees": ["Cơ quan Thường trực Ban Chỉ đạo về Nhân quyền tỉnh (Công an tỉnh)"],
    "fields": FIELDS,
    "answers": {
        "banners": 1250,
        "articles": 37,
        "trained_pct": 85.5,
        "has_training": True,
        "activities": [
            {"on": date(2024, 12, 1), "form": "Mít tinh", "people": 300},
            {"on": date(2024, 12, 10), "form": "Treo băng rôn", "people": None},
        ],
        "difficulties": "Kinh phí còn hạn chế.\nMột số địa phương triển khai chậm.",
        "proposals": "",
    },
    "recipients": ["Lãnh đạo Sở"],
    "archive": "VT, TTBC",
    "signer": {
        "authority": "KT.",
        "authority_of": "GIÁM ĐỐC",
        "title": "PHÓ GIÁM ĐỐC",
        "name": "Nguyễn Văn A",
    },
}


def consolidated_sample(n_agencies: int = 6) -> tuple[dict, dict]:
    """A consolidated report over ``n_agencies`` synthetic agencies (and the agencies dict)."""
    agencies = dict(AGENCIES)
    codes = []
    for i in range(1, n_agencies + 1):
        code = f"XA-{i:04d}"
        agencies[code] = {
            "code": code,
            "name": f"Ủy ban nhân dân xã Số {i}",
            "abbreviation": "UBND",
            "place": "Trà Vinh",
            "level": "commune",
        }
        codes.append(code)
    due = date(2025, 1, 1)
    timeliness = []
    for i, c in enumerate(codes):
        sub = None if i % 5 == 4 else date(2024, 12, 28 + (i % 3)) if i % 4 else date(2025, 1, 3)
        timeliness.append({"agency": c, "due": due, "submitted_on": sub})
    reported = [t["agency"] for t in timeliness if t["submitted_on"]]
    banners = {c: 10 + i for i, c in enumerate(reported)}
    articles = {c: i % 7 for i, c in enumerate(reported)}
    pct = {c: 60 + (i * 7) % 41 for i, c in enumerate(reported)}
    results = [
        {
            "label": "Băng rôn, áp phích đã treo",
            "unit": "cái",
            "rule": "sum",
            "value": sum(banners.values()),
            "target": None,
            "per_agency": banners,
        },
        {
            "label": "Tin, bài, phóng sự",
            "unit": "tin, bài",
            "rule": "sum",
            "value": sum(articles.values()),
            "target": None,
            "per_agency": articles,
        },
        {
            "label": "Cán bộ được tập huấn",
            "unit": "%",
            "rule": "avg",
            "value": round(sum(pct.values()) / max(len(pct), 1), 1),
            "target": 100,
            "per_agency": pct,
        },
    ]
    texts = [
        {
            "label": "Khó khăn, vướng mắc",
            "per_agency": {c: "Kinh phí còn hạn chế." for c in reported[:3]},
        },
        {"label": "Đề xuất, kiến nghị", "per_agency": {}},
    ]
    doc = {
        "agency": "CA-TV",
        "plan_ref": "Kế hoạch số 05/KH-BCĐNQ ngày 05 tháng 11 năm 2024 của Ban Chỉ đạo về Nhân "
        "quyền tỉnh Trà Vinh",
        "period": "năm 2024",
        "addressees": [
            "Ban Chỉ đạo về Nhân quyền tỉnh Trà Vinh",
            "Ban Chỉ đạo Nhân quyền Chính phủ",
        ],
        "timeliness": timeliness,
        "results": results,
        "texts": texts,
        "proposals": ["Đề nghị các cơ quan, đơn vị chưa báo cáo khẩn trương gửi báo cáo."],
        "recipients": ["Thành viên BCĐ về NQ tỉnh"],
        "archive": "VT, PA05",
        "signer": {
            "authority": "KT.",
            "authority_of": "GIÁM ĐỐC",
            "title": "PHÓ GIÁM ĐỐC",
            "name": "Trần Văn B",
        },
    }
    return doc, agencies


REMINDER: dict = {
    "agency": "UBND-NT",
    "unit": "VX",
    "plan_ref": "Kế hoạch số 12/KH-UBND ngày 20 tháng 12 năm 2022 của Ủy ban nhân dân tỉnh",
    "overdue": [
        {"agency": "BTG-NT", "due": date(2023, 12, 20)},
        {"agency": "VP-NT", "due": date(2023, 12, 20)},
        {"agency": "CA-NT", "due": date(2023, 12, 20)},
    ],
    "new_due": date(2024, 1, 5),
    "report_to": "Sở Thông tin và Truyền thông",
    "recipients": ["CT, các PCT UBND tỉnh"],
    "archive": "VT, VX",
    "signer": {
        "authority": "TL.",
        "authority_of": "CHỦ TỊCH",
        "title": "CHÁNH VĂN PHÒNG",
        "name": "Phạm Văn C",
    },
}
