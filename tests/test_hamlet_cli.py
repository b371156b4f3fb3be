"""`radio hamlet …` against a real station database."""

from __future__ import annotations


def test_add_list_edit_remove(radio):
    result = radio("hamlet", "add", "dt01", "--name", "Xóm Đồng Tâm", "--topics", "chinh-sach", "--notes", "Loa cụm 3")
    assert result.exit_code == 0, result.output
    assert "DT01" in result.output
    radio("hamlet", "add", "DT02", "--name", "Thôn Bản Pục", "--language", "vi,hmn")
    hamlets = radio.json("hamlet", "list")
    assert hamlets == [
        {"code": "DT01", "name": "Xóm Đồng Tâm", "languages": ["vi"], "topics": ["chinh-sach"], "notes": "Loa cụm 3"},
        {"code": "DT02", "name": "Thôn Bản Pục", "languages": ["vi", "hmn"], "topics": [], "notes": ""},
    ]
    edited = radio.json("hamlet", "edit", "dt01", "--name", "Xóm Đồng Tâm mới", "--topics", "")
    assert edited["name"] == "Xóm Đồng Tâm mới" and edited["topics"] == []
    assert radio("hamlet", "remove", "DT02").exit_code == 0
    assert [h["code"] for h in radio.json("hamlet", "list")] == ["DT01"]
    assert "Xóm Đồng Tâm mới" in radio("hamlet", "list").output


def test_user_errors_are_one_line(radio):
    radio("hamlet", "add", "DT01", "--name", "A")
    for args, text in [
        (("hamlet", "add", "dt01", "--name", "B"), "already exists"),
        (("hamlet", "add", "a b", "--name", "B"), "not a hamlet code"),
        (("hamlet", "add", "X1", "--name", "B", "--topics", "khong-co"), "unknown topic"),
        (("hamlet", "add", "X1", "--name", "B", "--language", "Vietnamese!"), "not a language code"),
        (("hamlet", "edit", "NOPE", "--name", "B"), "no hamlet with code NOPE"),
        (("hamlet", "remove", "NOPE"), "no hamlet with code NOPE"),
    ]:
        result = radio(*args)
        assert result.exit_code == 1, args
        assert text in result.stderr and "Traceback" not in result.output
        assert len(result.stderr.strip().splitlines()) == 1


def test_import_csv_excel_style(radio, tmp_path):
    csv = tmp_path / "thon.csv"
    rows = [
        "code,name,languages,topics,notes",
        "DT01,Xóm Đồng Tâm,vi,,",
        "DT02,\"Thôn Bản Pục, xã Yên\",\"vi,hmn\",chinh-sach,Loa mới",
        "bad code,Thôn X,vi,,",
        "DT03,,vi,,",
        "DT04,Thôn 4,vi,khong-co,",
        "DT01,Trùng,vi,,",
        "dt05,Khối 5,,,",
    ]
    csv.write_bytes("\ufeff".encode() + "\r\n".join(rows).encode("utf-8") + b"\r\n")
    result = radio("hamlet", "import", str(csv))
    assert result.exit_code == 1
    assert "imported 3 new hamlets" in result.output
    errors = result.stderr.strip().splitlines()
    assert [e.split(":")[0] for e in errors] == ["thon.csv, line 4", "thon.csv, line 5", "thon.csv, line 6", "thon.csv, line 7"]
    assert "appears twice" in errors[3]
    hamlets = {h["code"]: h for h in radio.json("hamlet", "list")}
    assert sorted(hamlets) == ["DT01", "DT02", "DT05"]
    assert hamlets["DT02"]["name"] == "Thôn Bản Pục, xã Yên" and hamlets["DT02"]["languages"] == ["vi", "hmn"]
    assert hamlets["DT05"]["languages"] == ["vi"]

    # A second import skips existing hamlets, or updates them with --update.
    csv.write_text("code,name\nDT01,Xóm Đồng Tâm 2\nDT06,Thôn 6\n", encoding="utf-8")
    again = radio.json("hamlet", "import", str(csv))
    assert again["added"] == 1 and again["skipped_existing"] == ["DT01"] and again["errors"] == []
    updated = radio.json("hamlet", "import", str(csv), "--update")
    assert updated["updated"] == 2
    assert {h["code"]: h["name"] for h in radio.json("hamlet", "list")}["DT01"] == "Xóm Đồng Tâm 2"


def test_import_rejects_non_utf8_and_missing_columns(radio, tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes("code,name\nA,Th\xf4n\n".encode("latin-1"))
    result = radio("hamlet", "import", str(latin))
    assert result.exit_code == 1 and "not UTF-8" in result.stderr
    nohead = tmp_path / "nohead.csv"
    nohead.write_text("ten,mau\nA,B\n", encoding="utf-8")
    result = radio("hamlet", "import", str(nohead))
    assert result.exit_code == 1 and "line 1" in result.stderr and "code" in result.stderr
