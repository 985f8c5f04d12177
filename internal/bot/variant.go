package bot

// Texts per channel: a text that tells the person to press a button or to
// send a location is wrong where the app has neither; such a key may have
// variants (chat.Features.Variants) and the turn says the one that fits.
// The base key stays the text for a channel that has everything (Telegram).

// variant is the key of the text written for the turn's channel: the most
// specific variant that exists, else key itself.
func (t *turn) variant(key string) string {
	if t.r.cfg.Texts == nil {
		return key
	}
	for _, c := range t.feat.Variants(key) {
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
