package app

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	qrcode "github.com/skip2/go-qrcode"
	"golang.org/x/sync/errgroup"

	"xabot/internal/domain"
	"xabot/internal/service/slip"
)

// QRUsage is the synopsis of `xabot qr`.
const QRUsage = `usage: xabot qr CODE [--out FILE.png]
       xabot qr --received-since DD/MM/YYYY --out DIR`

// qrPixels is the side of a slip's QR image, at most: about 3 cm at 260
// dpi, which a phone reads off a receipt printer's paper.
const qrPixels = 320

// QR runs `xabot qr`: the links of one dossier's slip and its QR (a PNG
// with --out, else drawn in the terminal), or one PNG per dossier received
// since a date, named by code.
func (a *App) QR(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("qr", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	file := fs.String("out", "", "PNG file (one code) or directory (--received-since)")
	since := fs.String("received-since", "", "first day of receipt, DD/MM/YYYY or YYYY-MM-DD")
	var code string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		code, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 || (code == "") == (*since == "") || (*since != "" && *file == "") {
		return errors.New(QRUsage)
	}
	t := func(key string, kv ...string) string { return a.texts.T(a.cfg.Lang, key, textArgs(kv)) }
	if a.slip == nil {
		return errors.New(t("qr.no_key"))
	}
	if code != "" {
		return a.qrOne(ctx, code, *file, out, t)
	}
	from, ok := parseDay(*since, a.cfg.TZ)
	if !ok {
		return errors.New(t("qr.bad_date", "date", domain.Echo(*since)))
	}
	start := time.Now()
	n, err := a.QRSince(ctx, from, *file)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(out, t("qr.batch", "count", strconv.Itoa(n), "dir", *file,
		"seconds", strconv.FormatFloat(time.Since(start).Seconds(), 'f', 2, 64)))
	return err
}

// qrOne prints one dossier's links and its QR.
func (a *App) qrOne(ctx context.Context, code, file string, out io.Writer, t func(string, ...string) string) error {
	d, err := a.dossiers.Find(ctx, code)
	var inv *domain.InvalidError
	if errors.As(err, &inv) {
		return errors.New(a.texts.T(a.cfg.Lang, inv.Key, inv.Args))
	}
	if err != nil {
		return err
	}
	l, err := a.slip.Links(d.Code)
	if errors.Is(err, slip.ErrTooLong) {
		return errors.New(t("qr.too_long", "code", d.Code))
	}
	if err != nil {
		return err
	}
	lines := []string{t("qr.code", "code", d.Code)}
	if l.Telegram != "" {
		lines = append(lines, t("qr.telegram", "url", l.Telegram))
	}
	if l.Page != "" {
		lines = append(lines, t("qr.page", "url", l.Page))
	}
	if l.QR() == "" {
		return errors.New(t("qr.no_links"))
	}
	if file == "" {
		q, err := qrcode.New(l.QR(), qrcode.Medium)
		if err != nil {
			return fmt.Errorf("qr: %w", err)
		}
		lines = append(lines, q.ToSmallString(false))
	} else {
		if err := writeQR(qrEncoder(), l.QR(), file); err != nil {
			return err
		}
		lines = append(lines, t("qr.written", "file", file))
	}
	_, err = fmt.Fprintln(out, strings.Join(lines, "\n"))
	return err
}

// QRSince writes dir/<code>.png for every dossier received since from
// (the directory is made if missing) and returns how many.
func (a *App) QRSince(ctx context.Context, from time.Time, dir string) (int, error) {
	if a.slip == nil {
		return 0, errors.New(a.texts.T(a.cfg.Lang, "qr.no_key", nil))
	}
	codes, err := a.db.CodesReceivedSince(ctx, from)
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, fmt.Errorf("qr: %w", err)
	}
	var files []qrFile
	for _, code := range codes {
		l, err := a.slip.Links(code)
		if errors.Is(err, slip.ErrTooLong) {
			a.log.Warn("qr: code too long for a link", "code", code)
			continue
		}
		if err != nil {
			return 0, err
		}
		if l.QR() == "" {
			return 0, errors.New(a.texts.T(a.cfg.Lang, "qr.no_links", nil))
		}
		files = append(files, qrFile{text: l.QR(), path: filepath.Join(dir, fileName(code)+".png")})
	}
	return writeQRs(ctx, files)
}

// qrFile is one QR to write: what it holds, and where.
type qrFile struct{ text, path string }

// writeQRs writes files and returns how many were written. PNG encoding
// is most of the time: the files are shared out among the cores.
func writeQRs(ctx context.Context, files []qrFile) (int, error) {
	var n atomic.Int64
	enc := qrEncoder()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, f := range files {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if err := writeQR(enc, f.text, f.path); err != nil {
				return err
			}
			n.Add(1)
			return nil
		})
	}
	err := g.Wait()
	return int(n.Load()), err
}

// qrEncoder encodes QR images. Its pool keeps the compressor between
// images: a new one allocates over 1 MB, most of an image's cost.
func qrEncoder() *png.Encoder {
	return &png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &pngBuffers{}}
}

// pngBuffers is a png.EncoderBufferPool over a sync.Pool, safe for the
// parallel writers.
type pngBuffers struct{ p sync.Pool }

func (b *pngBuffers) Get() *png.EncoderBuffer {
	if eb, ok := b.p.Get().(*png.EncoderBuffer); ok {
		return eb
	}
	return nil
}

func (b *pngBuffers) Put(eb *png.EncoderBuffer) { b.p.Put(eb) }

// writeQR writes the QR of text to file as a black-and-white PNG of
// about qrPixels a side (whole pixels per module). Drawn here from the
// library's module matrix, as a two-colour palette image: 1 bit a pixel,
// several times faster to encode than the library's own PNG (full colour,
// best compression) for a file of under 1 KB.
func writeQR(enc *png.Encoder, text, file string) error {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return fmt.Errorf("qr: %w", err)
	}
	var b bytes.Buffer
	if err := enc.Encode(&b, qrImage(q.Bitmap())); err != nil {
		return fmt.Errorf("qr: %w", err)
	}
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("qr: %w", err)
	}
	return nil
}

// qrImage draws modules (true = dark, the quiet zone included) at the
// largest whole scale that fits qrPixels, at least 1.
func qrImage(modules [][]bool) *image.Paletted {
	n := len(modules)
	scale := max(qrPixels/max(n, 1), 1)
	img := image.NewPaletted(image.Rect(0, 0, n*scale, n*scale), color.Palette{color.White, color.Black})
	for y, row := range modules {
		line := img.Pix[y*scale*img.Stride : y*scale*img.Stride+n*scale]
		for x, dark := range row {
			if dark {
				for i := range scale {
					line[x*scale+i] = 1
				}
			}
		}
		for i := 1; i < scale; i++ {
			copy(img.Pix[(y*scale+i)*img.Stride:], line)
		}
	}
	return img
}

// fileName is code with what a file name should not hold replaced by "_".
func fileName(code string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, code)
}

// parseDay reads DD/MM/YYYY or YYYY-MM-DD as the start of that day in loc.
func parseDay(s string, loc *time.Location) (time.Time, bool) {
	for _, layout := range []string{"02/01/2006", "2/1/2006", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(s), loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// textArgs builds text arguments from name, value pairs.
func textArgs(kv []string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}
