package bot

// Texts per channel. A text that tells the person to press a button or to
// send a location («bấm «Tiếp tục»», «📎 → Vị trí») is wrong where the app
// has neither: such a key may have variants written for what the channel
// lacks, and the turn says the one that fits. The base key stays the text
// for a channel that has everything (Telegram).
//
//	KEY.typed          no buttons: choices are typed by their number (Zalo)
//	KEY.noplace        no location can be sent (the terminal)
//	KEY.typed_noplace  neither (Zalo)
const (
	variantTyped   = "typed"
	variantNoPlace = "noplace"
)

// variant is the key of the text written for the turn's channel: the most
// specific variant that exists, else key itself.
func (t *turn) variant(key string) string {
	var lacks []string
	if !t.feat.Buttons {
		lacks = append(lacks, variantTyped)
	}
	if !t.feat.Location {
		lacks = append(lacks, variantNoPlace)
	}
	if len(lacks) == 0 || t.r.cfg.Texts == nil {
		return key
	}
	candidates := make([]string, 0, 3)
	if len(lacks) == 2 {
		candidates = append(candidates, key+"."+lacks[0]+"_"+lacks[1])
	}
	for _, l := range lacks {
		candidates = append(candidates, key+"."+l)
	}
	for _, c := range candidates {
		if t.r.cfg.Texts.Has(c) {
			return c
		}
	}
	return key
}

// tr renders key in the turn's language, in its channel's variant.
func (t *turn) tr(key string, a map[string]string) string {
	return t.r.t(t.lang, t.variant(key), a)
}
