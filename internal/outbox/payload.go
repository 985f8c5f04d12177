package outbox

import (
	"encoding/json"

	"xabot/internal/chat"
)

type payload struct {
	Text     string      `json:"text"`
	Buttons  [][]button  `json:"buttons,omitempty"`
	Keyboard *keyboardJS `json:"keyboard,omitempty"`
	Image    *chat.Image `json:"image,omitempty"` // Data travels as base64
}

type button struct {
	Label string `json:"label"`
	Data  string `json:"data"`
}

type keyboardJS struct {
	Rows   [][]key `json:"rows,omitempty"`
	Remove bool    `json:"remove,omitempty"`
}

type key struct {
	Label          string `json:"label"`
	RequestContact bool   `json:"request_contact,omitempty"`
}

func encode(r chat.Reply) ([]byte, error) {
	p := payload{Text: r.Text, Image: r.Image}
	for _, row := range r.Buttons {
		out := make([]button, 0, len(row))
		for _, b := range row {
			out = append(out, button{Label: b.Label, Data: b.Data})
		}
		p.Buttons = append(p.Buttons, out)
	}
	if k := r.Keyboard; k != nil {
		p.Keyboard = &keyboardJS{Remove: k.Remove}
		for _, row := range k.Rows {
			out := make([]key, 0, len(row))
			for _, x := range row {
				out = append(out, key{Label: x.Label, RequestContact: x.RequestContact})
			}
			p.Keyboard.Rows = append(p.Keyboard.Rows, out)
		}
	}
	return json.Marshal(p)
}

func decode(b []byte) (chat.Reply, error) {
	var p payload
	if err := json.Unmarshal(b, &p); err != nil {
		return chat.Reply{}, err
	}
	r := chat.Reply{Text: p.Text, Image: p.Image}
	for _, row := range p.Buttons {
		out := make([]chat.Button, 0, len(row))
		for _, b := range row {
			out = append(out, chat.Button{Label: b.Label, Data: b.Data})
		}
		r.Buttons = append(r.Buttons, out)
	}
	if k := p.Keyboard; k != nil {
		r.Keyboard = &chat.Keyboard{Remove: k.Remove}
		for _, row := range k.Rows {
			out := make([]chat.Key, 0, len(row))
			for _, x := range row {
				out = append(out, chat.Key{Label: x.Label, RequestContact: x.RequestContact})
			}
			r.Keyboard.Rows = append(r.Keyboard.Rows, out)
		}
	}
	return r, nil
}
