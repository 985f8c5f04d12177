package domain

import (
	"strconv"
	"time"
)

// ApologyLetter is the letter of form Mẫu 04 (phiếu xin lỗi và hẹn lại ngày
// trả kết quả, Decree 118/2025 Art. 19(6)) for dossier d, moved to newDue
// for reason: its number and date, «Kính gửi» the applicant by name, then
// the dossier, the reason and the new date, in one form of address
// («Ông/Bà»). number is the letter's number ("…" in a draft); on is the
// day it is written. The commune's name is filled in where it is rendered.
func ApologyLetter(d Dossier, number string, on, newDue time.Time, reason string, loc *time.Location) []Line {
	date := func(t time.Time) string { return t.In(loc).Format("02/01/2006") }
	local := on.In(loc)
	to := L("apology.letter.to", "name", d.ApplicantName)
	if d.ApplicantName == "" {
		to = L("apology.letter.to_unnamed", "code", d.Code)
	}
	return []Line{
		L("apology.letter.head", "number", number, "day", local.Format("02"), "month", local.Format("01"),
			"year", strconv.Itoa(local.Year())),
		to,
		L("apology.letter.body", "code", d.Code, "procedure", d.ProcedureName, "received", date(d.ReceivedAt),
			"old", date(d.DueAt), "new", date(newDue), "reason", reason),
	}
}
