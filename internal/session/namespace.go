package session

import (
	"errors"
	"fmt"
	"strings"

	"xabot/internal/chat"
)

// Namespaces says whose Redis keys a store reads and writes, so that two
// communes — or two tokens of one commune — on one Redis share nothing: a
// citizen half-way through a lookup on one bot is a stranger to the other,
// and an update id (per bot on Telegram) handled by one bot is not a
// duplicate for the other.
type Namespaces struct {
	// Default is for channels without a platform identity (the terminal,
	// the demo's web page): the database's InstanceNamespace. Required.
	Default string
	// Channels names the namespace of each channel with a bot identity,
	// BotNamespace(channel, id from getMe), filled at wiring time once the
	// adapters have called getMe.
	Channels map[chat.Channel]string
}

// of is the namespace of key, a user or update key that starts with its
// channel ("tg:42").
func (n Namespaces) of(key string) string {
	ch, _, _ := strings.Cut(key, ":")
	if ns, ok := n.Channels[chat.Channel(ch)]; ok {
		return ns
	}
	return n.Default
}

func (n Namespaces) check() error {
	if n.Default == "" {
		return errors.New("session: no default namespace (the database's instance)")
	}
	for ch, ns := range n.Channels {
		if ns == "" {
			return fmt.Errorf("session: channel %s has an empty namespace", ch)
		}
	}
	return nil
}

// BotNamespace is the namespace of a bot known to its platform: the
// channel and the bot's id from getMe ("tg-7012345678"). The id must be
// letters, digits, '_' or '-', so that a namespace never runs into the
// key's other parts.
func BotNamespace(ch chat.Channel, botID string) (string, error) {
	if !plainID(string(ch)) || !plainID(botID) {
		return "", fmt.Errorf("session: bot id %q of %s cannot name a namespace", botID, ch)
	}
	return string(ch) + "-" + botID, nil
}

// InstanceNamespace is the namespace of what has no platform identity and
// of what belongs to one database (the scheduler's locks): the database's
// instance id ("db-1a2b3c4d5e6f7a8b").
func InstanceNamespace(instance string) (string, error) {
	if !plainID(instance) {
		return "", fmt.Errorf("session: instance id %q cannot name a namespace", instance)
	}
	return "db-" + instance, nil
}

func plainID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-'
		if !ok {
			return false
		}
	}
	return true
}
