//go:build e2e

package e2e

import (
	"strings"
	"testing"
	"time"
)

// The weekly digest reaches the chairman as a chart with the week's
// figures, and a second run of the job sends nothing.
func TestWeeklyDigest(t *testing.T) {
	peer := startPeer(t)
	b := startBot(t, peer, nil)
	importDossiers(t, b, staffCSV)
	chair := b.Citizen(t, 9001, "Chủ tịch")
	register(t, b, chair, "--role", "chairman", "--name", "Nguyễn Chủ Tịch")
	hoa := b.Citizen(t, 9002, "Hoa")
	register(t, b, hoa, "--role", "official", "--name", "Trần Thị Hoa", "--field", "Hộ tịch")

	const monday = "2026-11-30T07:30:00+07:00" // the week of 23–29 Nov 2026 before it
	xabot(t, b, "jobs", "run", "weekly-digest", "--at", monday)
	var photo, text bool
	for _, m := range drainFor(chair, 6*time.Second) {
		photo = photo || m.Photo
		if strings.Contains(m.Text, "Tổng hợp tuần 23/11/2026 – 29/11/2026 (toàn xã)") {
			text = true
		}
	}
	if !photo || !text {
		t.Fatalf("the chairman's digest: photo %v, text %v", photo, text)
	}
	hoa.WaitFor(t, "lĩnh vực Hộ tịch", 10*time.Second)
	xabot(t, b, "jobs", "run", "weekly-digest", "--at", monday, "--again")
	chair.ExpectNone(t, 2*time.Second)
	hoa.ExpectNone(t, time.Second)
}
