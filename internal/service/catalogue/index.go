package catalogue

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"

	"xabot/internal/collate"
	"xabot/internal/domain"
	"xabot/internal/fold"
)

// Result is what a search found.
type Result struct {
	Hits []Hit // best first
	// Confident says the best hit answers most of the words (those that
	// are not "thủ tục", "cần giấy tờ gì" and the like): free text that
	// gets a confident result is a question about that procedure.
	Confident bool
}

// Hit is one procedure found, with its score (higher is better).
type Hit struct {
	Procedure domain.Procedure
	Score     float64
	// Coverage is the share of the words' weight the procedure answers,
	// 0 to 1.
	Coverage float64
}

// doc is a procedure as searched: the words of its name and field, folded.
type doc struct {
	p     domain.Procedure
	words []string
	ids   []int32 // the words of the name, by their place in vocab
	field []string
	rank  int // place of the name in Vietnamese order: ties go by it
}

// index finds procedures by the words of their names, and of their fields
// with less weight. A word weighs by how rare it is in the catalogue
// («khai», «sinh» more than «đăng», «ký»); two words typed together that
// stand together in a name weigh more; a word typed with one letter wrong,
// or cut short at the end, still finds its word, with less weight.
type index struct {
	docs   []doc
	byCode map[string]int
	fields []string           // Vietnamese order, one spelling each
	name   map[string][]int32 // word → docs whose name has it, once each
	field  map[string][]int32 // word → docs whose field has it
	idf    map[string]float64
	vocab  []string // every word, sorted: prefixes and near misses
	ids    map[string]int32
	pool   sync.Pool // of *scratch
}

func newIndex(ps []domain.Procedure) *index {
	idx := &index{byCode: map[string]int{}, name: map[string][]int32{}, field: map[string][]int32{}, idf: map[string]float64{}}
	spelling := map[string]bool{}
	for i, p := range ps {
		d := doc{p: p, words: words(p.Name), field: words(p.Field)}
		idx.docs = append(idx.docs, d)
		idx.byCode[p.Code] = i
		for _, w := range unique(d.words) {
			idx.name[w] = append(idx.name[w], int32(i))
		}
		for _, w := range unique(d.field) {
			idx.field[w] = append(idx.field[w], int32(i))
		}
		if k := fold.String(p.Field); p.Field != "" && !spelling[k] {
			spelling[k] = true
			idx.fields = append(idx.fields, p.Field)
		}
	}
	collate.Strings(idx.fields)
	order := make([]int, len(idx.docs))
	for i := range order {
		order[i] = i
	}
	collate.SortBy(order, func(i int) string { return idx.docs[i].p.Name })
	for rank, i := range order {
		idx.docs[i].rank = rank
	}
	n := float64(len(ps))
	for w, docs := range idx.name {
		idx.idf[w] = math.Log(1 + n/float64(len(docs)))
		idx.vocab = append(idx.vocab, w)
	}
	for w, docs := range idx.field {
		if _, ok := idx.idf[w]; !ok {
			idx.idf[w] = math.Log(1 + n/float64(len(docs)))
			idx.vocab = append(idx.vocab, w)
		}
	}
	slices.Sort(idx.vocab)
	idx.ids = make(map[string]int32, len(idx.vocab))
	for i, w := range idx.vocab {
		idx.ids[w] = int32(i)
	}
	for i := range idx.docs {
		for _, w := range idx.docs[i].words {
			idx.docs[i].ids = append(idx.docs[i].ids, idx.ids[w])
		}
	}
	idx.pool.New = func() any { return &scratch{} }
	return idx
}

// words folds s into its words: no case, no accents, letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(fold.String(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func unique(ws []string) []string {
	out := slices.Clone(ws)
	slices.Sort(out)
	return slices.Compact(out)
}

// fillers are the words of a question that say nothing of which procedure
// it is about, folded, longest first where one holds another.
var fillers = []string{
	"thu tuc hanh chinh", "thu tuc", "tthc", "lam the nao", "nhu the nao", "the nao", "lam sao",
	"can nhung giay to gi", "can giay to gi", "giay to gi", "can nhung gi", "nhung gi", "can gi", "can giay to",
	"giay to can", "ho so gom", "ho so can", "bao nhieu", "bao lau", "may ngay", "o dau", "huong dan",
	"cho hoi", "xin hoi", "muon", "toi", "minh", "em", "hoi", "oi", "vay", "nhe", "khong", "cach", "thi",
	"phai", "can", "gi", "lam", "ve", "de", "duoc", "nao", "voi", "o", "dau", "la", "co",
	"a", "ak", "nhi", "ha", "gium", "giup", "nop", "xin", "mat", "tien", "ngay",
	// who it is for, and greetings: never what a procedure is called
	"giay to", "giay", "cho", "con", "be", "chau", "xin chao", "chao", "cam on", "alo",
}

// everyday are what people call a procedure, folded, and what the
// catalogue calls it: «giấy chứng tử» is «khai tử», «công chứng» at the
// commune is «chứng thực», a «sổ đỏ» the land-use certificate.
var everyday = [][2]string{
	{"doc than", "tinh trang hon nhan"}, {"cong chung", "chung thuc"}, {"chung tu", "khai tu"},
	{"giay khai sinh", "khai sinh"}, {"lam nha", "xay dung nha o"}, {"xay nha", "xay dung nha o"},
	{"sua nha", "sua chua nha o"}, {"so do", "giay chung nhan quyen su dung dat"},
	{"so hong", "giay chung nhan quyen su dung dat"}, {"lay vo", "ket hon"}, {"lay chong", "ket hon"},
	{"dam cuoi", "ket hon"}, {"ho khau", "thuong tru"}, {"dat lan dau", "dat dai lan dau"},
}

// content puts a question's everyday words as the catalogue words them
// and drops the fillers; when nothing is left, nothing was asked about a
// procedure.
func content(ws []string) []string {
	text := " " + strings.Join(ws, " ") + " "
	for _, e := range everyday {
		text = strings.ReplaceAll(text, " "+e[0]+" ", " "+e[1]+" ")
	}
	for _, f := range fillers {
		for strings.Contains(text, " "+f+" ") {
			text = strings.ReplaceAll(text, " "+f+" ", " ")
		}
	}
	return strings.Fields(text)
}

// maxWords is the most words of a question looked at.
const maxWords = 12

// alt is a word of the catalogue a typed word may stand for, and how much
// of its weight the match keeps.
type alt struct {
	word string
	keep float64
}

// alts are the catalogue's words the i-th typed word may stand for: itself;
// else one at one typing slip (a letter wrong, missing, extra or two
// swapped) from a word of four letters or more; else, for the last word
// (still being typed), the words it begins.
func (idx *index) alts(w string, last bool) []alt {
	if _, ok := idx.idf[w]; ok {
		return []alt{{w, 1}}
	}
	var out []alt
	if len(w) >= 4 {
		for _, v := range idx.vocab {
			if d := len(v) - len(w); d >= -1 && d <= 1 && oneSlip(w, v) {
				out = append(out, alt{v, 0.7})
			}
		}
	}
	if len(out) == 0 && last && len(w) >= 2 {
		i, _ := slices.BinarySearch(idx.vocab, w)
		for ; i < len(idx.vocab) && strings.HasPrefix(idx.vocab[i], w) && len(out) < 20; i++ {
			out = append(out, alt{idx.vocab[i], 0.8})
		}
	}
	return out
}

// oneSlip reports whether a and b differ by one letter replaced, added or
// dropped, or two neighbours swapped.
func oneSlip(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	switch {
	case i == len(a):
		return len(b)-len(a) == 1
	case len(a) == len(b):
		return a[i+1:] == b[i+1:] || i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	}
	return a[i:] == b[i+1:]
}

// scratch is one search's working memory, kept for the next: for each
// doc and typed word, the weight the doc answers it with and the
// catalogue's word that does (in the name: -1 for none, or in the field).
type scratch struct {
	got     []float64
	word    []int32
	exact   []bool
	touched []int32
	seen    []bool
}

// search ranks the procedures by how well they answer query, and returns
// those close to the best (at least half its score), at most limit. A
// procedure's code typed (whole, or its first two parts «1.001193») finds
// it alone.
func (idx *index) search(query string, limit int) Result {
	if i, ok := idx.code(query); ok {
		return Result{Hits: []Hit{{Procedure: idx.docs[i].p, Score: 1, Coverage: 1}}, Confident: true}
	}
	ws := content(words(query))
	if len(ws) > maxWords {
		ws = ws[:maxWords]
	}
	if len(ws) == 0 || limit <= 0 {
		return Result{}
	}
	sc := idx.pool.Get().(*scratch)
	defer idx.pool.Put(sc)
	nw := len(ws)
	n := len(idx.docs) * nw
	sc.got, sc.word, sc.exact = grow(sc.got, n), grow(sc.word, n), grow(sc.exact, n)
	clear(sc.got)
	clear(sc.exact)
	sc.seen = grow(sc.seen, len(idx.docs))
	clear(sc.seen)
	sc.touched = sc.touched[:0]
	touch := func(d int32) {
		if !sc.seen[d] {
			sc.seen[d] = true
			sc.touched = append(sc.touched, d)
			for i := range nw {
				sc.word[int(d)*nw+i] = -1
			}
		}
	}
	total := 0.0
	for i, w := range ws {
		as := idx.alts(w, i == nw-1)
		best := math.Log(1 + float64(len(idx.docs))) // a word the catalogue lacks weighs as the rarest
		if len(as) > 0 {
			best = 0
		}
		for _, a := range as {
			id := idx.ids[a.word]
			weight := a.keep * idx.idf[a.word]
			best = max(best, idx.idf[a.word])
			for _, d := range idx.name[a.word] {
				touch(d)
				if k := int(d)*nw + i; weight > sc.got[k] {
					sc.got[k], sc.word[k], sc.exact[k] = weight, id, a.keep == 1
				}
			}
			for _, d := range idx.field[a.word] {
				touch(d)
				if k := int(d)*nw + i; weight/2 > sc.got[k] {
					sc.got[k], sc.word[k], sc.exact[k] = weight/2, -1, false
				}
			}
		}
		total += best
	}
	type scored struct {
		d                      int32
		score, coverage, exact float64
	}
	hits := make([]scored, 0, len(sc.touched))
	top := math.Inf(-1)
	for _, d := range sc.touched {
		row := int(d) * nw
		sum, exact := 0.0, 0.0
		for i := range nw {
			sum += sc.got[row+i]
			if sc.exact[row+i] {
				exact += sc.got[row+i]
			}
		}
		score := sum
		ids := idx.docs[d].ids
		for i := 0; i+1 < nw; i++ {
			if a, b := sc.word[row+i], sc.word[row+i+1]; a >= 0 && b >= 0 && together(ids, a, b) {
				score += (sc.got[row+i] + sc.got[row+i+1]) / 2
			}
		}
		// Of two names answering alike, the shorter is the more exact.
		score -= 0.01 * float64(len(ids))
		hits = append(hits, scored{d: d, score: score, coverage: sum / total, exact: exact / total})
		top = max(top, score)
	}
	// Only those near the best are ranked.
	hits = slices.DeleteFunc(hits, func(h scored) bool { return h.score < top/2 })
	if len(hits) == 0 {
		return Result{}
	}
	slices.SortFunc(hits, func(a, b scored) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(idx.docs[a.d].rank, idx.docs[b.d].rank)
	})
	var res Result
	for _, h := range hits {
		if len(res.Hits) == limit || h.score < hits[0].score/2 {
			break
		}
		res.Hits = append(res.Hits, Hit{Procedure: idx.docs[h.d].p, Score: h.score, Coverage: h.coverage})
	}
	// Sure when the words answer for most of the question, half of it as
	// typed: a near miss alone («chào» for «chấm») is no question.
	res.Confident = hits[0].coverage >= 0.6 && hits[0].exact >= 0.5
	return res
}

// grow returns s with n elements, reusing its array when it can.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// together reports whether a is followed by b in ws.
func together(ws []int32, a, b int32) bool {
	for i := 0; i+1 < len(ws); i++ {
		if ws[i] == a && ws[i+1] == b {
			return true
		}
	}
	return false
}

// code finds the procedure whose code the query is, whole or by its first
// two parts, without case.
func (idx *index) code(query string) (int, bool) {
	q := strings.ToUpper(strings.TrimSpace(query))
	if q == "" || strings.ContainsAny(q, " \t") || !strings.Contains(q, ".") || !strings.ContainsAny(q, "0123456789") {
		return 0, false
	}
	if i, ok := idx.byCode[strings.TrimSpace(query)]; ok {
		return i, true
	}
	for i, d := range idx.docs {
		c := strings.ToUpper(d.p.Code)
		if c == q || strings.HasPrefix(c, q+".") {
			return i, true
		}
	}
	return 0, false
}
