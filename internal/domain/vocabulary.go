package domain

import (
	"strings"

	"xabot/internal/fold"
)

// What one-door exports write for a status or an intake channel varies by
// vendor and by clerk: «Đã trả KQ», «Đã trả kết quả (đúng hạn)», «Kết quả
// sẵn sàng», «Nộp qua bưu điện». wording reduces such a cell, folded, to
// its core: abbreviations spelt out, a bracketed remark and the trailing
// qualifiers (on time, late, to whom, where) dropped.
func wording(f string) string {
	if i := strings.IndexAny(f, "(["); i > 0 {
		f = strings.TrimSpace(f[:i])
	}
	f = strings.NewReplacer(":", " ", "-", " ", "_", " ", ".", " ", ",", " ", "/", " ").Replace(f)
	words := strings.Fields(f)
	for i, w := range words {
		switch w {
		case "kq":
			words[i] = "ket qua"
		case "hs":
			words[i] = "ho so"
		case "nvtc":
			words[i] = "nghia vu tai chinh"
		case "tn":
			words[i] = "tiep nhan"
		case "xl":
			words[i] = "xu ly"
		case "bs", "bsung":
			words[i] = "bo sung"
		}
	}
	f = strings.Join(words, " ")
	for changed := true; changed; {
		changed = false
		for _, q := range qualifiers {
			if g := strings.TrimSuffix(f, " "+q); g != f && g != "" {
				f, changed = g, true
			}
		}
	}
	return f
}

// qualifiers are what an export adds after a status or channel.
var qualifiers = []string{"dung han", "truoc han", "qua han", "tre han", "som han", "cham", "dung hen",
	"cho cong dan", "cho nguoi dan", "cho to chuc", "cho ca nhan", "cho to chuc ca nhan", "cho nguoi nop",
	"cho to chuc cong dan", "tai bo phan mot cua", "tai mot cua", "tai quay", "tai xa", "tai ubnd xa",
	"qua buu chinh", "qua buu dien", "truc tuyen", "tren cong dvc", "ho so", "thanh cong"}

// statusWords are the wordings of real exports beyond the names in
// statusVietnamese, after wording.
var statusWords = map[string]Status{
	"cho xu ly": 1, "moi tiep nhan": 2, "da nhan": 2, "da nhan ho so": 2, "tiep nhan ho so": 2,
	"khong du dieu kien": 3, "tra lai ho so": 3, "bi tu choi": 3, "da tu choi": 3,
	"dang thu ly": 4, "dang tham dinh": 4, "cho phe duyet": 4, "cho ky duyet": 4, "trinh ky": 4,
	"chuyen xu ly": 4, "da chuyen xu ly": 4, "cho ky": 4, "dang xu ly ho so": 4, "da ky": 4,
	"cho bo sung ho so": 5, "yeu cau bo sung ho so": 5, "bo sung ho so": 5, "can bo sung": 5,
	"cho nop phi": 6, "cho nop le phi": 6, "cho nop phi le phi": 6, "cho thuc hien nghia vu tai chinh": 6,
	"thuc hien nghia vu tai chinh": 6, "cho thanh toan phi": 6, "yeu cau thanh toan": 6,
	"rut": 7, "da rut ho so": 7, "huy": 7, "da huy": 7, "cong dan huy": 7, "nguoi dan rut ho so": 7,
	"dung": 8, "tam dung": 8, "da dung xu ly": 8, "ngung xu ly": 8, "tam dung xu ly": 8,
	"ket qua san sang": 9, "da xong": 9, "da xu ly": 9, "da giai quyet": 9, "giai quyet xong": 9,
	"da co ket qua cho tra": 9, "cho tra": 9, "cho nhan ket qua": 9, "co ket qua cho tra": 9,
	"da hoan thanh xu ly": 9, "xu ly xong": 9,
	"da tra": 10, "tra": 10, "da tra ket qua cho cong dan": 10, "da hoan thanh": 10, "hoan tat": 10,
	"da nhan ket qua": 10, "cong dan da nhan ket qua": 10, "ket thuc": 10, "da ket thuc": 10,
}

// intakeWords are the channel wordings of real exports, after wording.
var intakeWords = map[string]Intake{
	"nop truc tiep": IntakeDirect, "truc tiep": IntakeDirect, "tai bo phan mot cua": IntakeDirect,
	"mot cua": IntakeDirect, "quay": IntakeDirect, "nop tai quay": IntakeDirect,
	"nop truc tuyen": IntakeOnline, "truc tuyen": IntakeOnline, "dich vu cong truc tuyen": IntakeOnline,
	"cong dich vu cong": IntakeOnline, "cong dvc": IntakeOnline, "dvc quoc gia": IntakeOnline,
	"cong dich vu cong quoc gia": IntakeOnline, "qua mang": IntakeOnline, "online": IntakeOnline,
	"buu dien": IntakePostal, "qua buu dien": IntakePostal, "nop qua buu dien": IntakePostal,
	"buu chinh": IntakePostal, "qua buu chinh": IntakePostal, "nop qua buu chinh": IntakePostal,
	"dich vu buu chinh cong ich": IntakePostal, "buu chinh cong ich": IntakePostal, "vnpost": IntakePostal,
	"nop qua dich vu buu chinh cong ich": IntakePostal, "nop qua buu chinh cong ich": IntakePostal,
}

// statusByWords reads a status as an export words it.
func statusByWords(s string) (Status, bool) {
	f := fold.String(s)
	for _, w := range []string{f, wording(f)} {
		if st, ok := statusVietnamese[w]; ok {
			return st, true
		}
		if st, ok := statusWords[w]; ok {
			return st, true
		}
	}
	return 0, false
}

// intakeByWords reads an intake channel as an export words it; the
// qualifiers are not dropped here, since «qua bưu điện» is the channel.
func intakeByWords(s string) (Intake, bool) {
	f := fold.String(s)
	if i := strings.IndexAny(f, "(["); i > 0 {
		f = strings.TrimSpace(f[:i])
	}
	in, ok := intakeWords[f]
	return in, ok
}
