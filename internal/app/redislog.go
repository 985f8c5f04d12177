package app

import (
	"context"
	"fmt"
	"log/slog"
)

// redisLog carries go-redis's own messages (reconnects, pool trouble) to
// slog as warnings, so stderr stays one JSON object per line.
type redisLog struct{ log *slog.Logger }

func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, fmt.Sprintf(format, v...))
}
