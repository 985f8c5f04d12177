package store

import (
	"context"
	"fmt"
)

// metaBotNamespace prefixes the meta rows naming each bot identity that
// has served this database ("bot-namespace:tg-7012345678").
const metaBotNamespace = "bot-namespace:"

// RecordBotNamespace notes that the bot whose Redis namespace is ns serves
// this database, so that a command run beside it (`xabot officials
// revoke`) can reach that bot's sessions without asking the platform.
// Recording it again changes nothing.
func (db *DB) RecordBotNamespace(ctx context.Context, ns string) error {
	_, err := db.MetaOnce(ctx, metaBotNamespace+ns, ns)
	return err
}

// BotNamespaces lists the namespaces RecordBotNamespace noted, oldest
// first: a token replaced keeps its row, as its sessions may still live.
func (db *DB) BotNamespaces(ctx context.Context) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT value FROM meta WHERE substr(key, 1, ?) = ? ORDER BY created_at, key`,
		len(metaBotNamespace), metaBotNamespace)
	if err != nil {
		return nil, fmt.Errorf("store: bot namespaces: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var ns string
		if err := rows.Scan(&ns); err != nil {
			return nil, fmt.Errorf("store: bot namespaces: %w", err)
		}
		out = append(out, ns)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: bot namespaces: %w", err)
	}
	return out, nil
}
