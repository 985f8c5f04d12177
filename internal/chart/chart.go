// Package chart draws the weekly digest picture: received and resolved
// dossiers per day as grouped bars, with the on-time share in the title.
//
// The package owns no words. Every text on the picture (title, legend,
// axis label, weekday names) comes from the caller, already in the
// user's language; the package only formats numbers, with the
// separators the caller gives in Labels.
//
// Output is a PNG drawn with gonum.org/v1/plot in Liberation Sans, which
// covers Vietnamese. The same input gives the same bytes.
package chart

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Default size in pixels, used when Render gets 0 for a dimension.
const (
	DefaultWidth  = 800
	DefaultHeight = 500
	// MaxSide bounds either side of the picture.
	MaxSide = 4000
)

// Day is one bar group: the dossiers received and resolved that day.
// Date is shown as DD/MM in its own location.
type Day struct {
	Date     time.Time
	Received int
	Resolved int
}

// Labels are the caller's texts, already in the reader's language.
type Labels struct {
	Received string // legend of the received bars
	Resolved string // legend of the resolved bars
	OnTime   string // prefix of the on-time share, e.g. "Đúng hạn"
	Axis     string // y axis label, e.g. "Hồ sơ"; empty = none
	// DayNames are short weekday names, Sunday first (time.Weekday
	// order), shown above the date; an empty name shows the date alone.
	DayNames [7]string
	// Thousands groups digits of numbers ("." in Vietnamese, "," in
	// English); empty = no grouping.
	Thousands string
	// Decimal is the decimal mark of the on-time share ("," in
	// Vietnamese); empty = ".".
	Decimal string
}

// Week is what the chart shows. Days are drawn in the given order.
type Week struct {
	Title string
	Days  []Day
	// OnTimePct is the on-time share in percent, 0–100; NaN or a
	// negative value means unknown and is not shown.
	OnTimePct float64
	Labels    Labels
}

var (
	colReceived = color.RGBA{R: 0x1f, G: 0x6f, B: 0xb4, A: 0xff}
	colResolved = color.RGBA{R: 0x2c, G: 0xa0, B: 0x4c, A: 0xff}
	colText     = color.RGBA{R: 0x22, G: 0x22, B: 0x22, A: 0xff}
	colGrid     = color.RGBA{R: 0xdd, G: 0xdd, B: 0xdd, A: 0xff}
	sans        = font.Font{Typeface: "Liberation", Variant: "Sans"}
)

// Render draws w as a width×height PNG (pixels; 0 means the default
// 800×500).
func Render(w Week, width, height int) ([]byte, error) {
	if width == 0 {
		width = DefaultWidth
	}
	if height == 0 {
		height = DefaultHeight
	}
	if width < 100 || height < 100 || width > MaxSide || height > MaxSide {
		return nil, fmt.Errorf("chart: size %d×%d out of range 100..%d", width, height, MaxSide)
	}
	for _, d := range w.Days {
		if d.Received < 0 || d.Resolved < 0 {
			return nil, errors.New("chart: negative count")
		}
	}

	// 72 dpi: one point is one pixel, so the canvas is exactly
	// width×height and font sizes below are in pixels, scaled with the
	// picture against the 800×500 reference.
	scale := math.Min(float64(width)/DefaultWidth, float64(height)/DefaultHeight)
	scale = math.Max(0.5, math.Min(scale, 3))
	px := func(v float64) vg.Length { return vg.Length(v * scale) }

	style := func(size float64) text.Style {
		return text.Style{
			Color:   colText,
			Font:    font.From(sans, px(size)),
			Handler: plot.DefaultTextHandler,
		}
	}
	// restyle keeps gonum's alignment and rotation, changing the face.
	restyle := func(s *text.Style, size float64) {
		s.Color = colText
		s.Font = font.From(sans, px(size))
	}

	p := plot.New()
	p.BackgroundColor = color.White
	p.Title.Text = title(w)
	restyle(&p.Title.TextStyle, 24)
	p.Title.Padding = px(12)

	p.Y.Label.Text = w.Labels.Axis
	restyle(&p.Y.Label.TextStyle, 18)
	restyle(&p.Y.Tick.Label, 16)
	restyle(&p.X.Tick.Label, 16)
	p.Y.Tick.LineStyle.Width = px(1)
	p.Y.Tick.Length = px(6)
	p.Y.LineStyle.Width = px(1)
	p.X.LineStyle.Width = px(1)
	restyle(&p.Legend.TextStyle, 18)
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.XOffs = px(10)
	p.Legend.ThumbnailWidth = px(22)
	p.Legend.Padding = px(4)

	n := len(w.Days)
	maxVal := 0
	for _, d := range w.Days {
		maxVal = max(maxVal, d.Received, d.Resolved)
	}
	top, step := niceTop(maxVal)
	ticks := tickMarks(top, step, w.Labels.Thousands)
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)

	grid := plotter.NewGrid()
	grid.Vertical.Width = 0
	grid.Horizontal.Color = colGrid
	grid.Horizontal.Width = px(1)
	p.Add(grid)

	if n == 0 {
		p.HideX()
		p.X.Min, p.X.Max = 0, 1
	} else {
		// The data area is the picture less the y axis and margins;
		// an estimate is enough to size bars and thin out labels.
		area := float64(width) - 110*scale
		slot := area / float64(n)
		barW := vg.Length(math.Min(slot*0.38, 70*scale))

		rec := make(plotter.Values, n)
		res := make(plotter.Values, n)
		for i, d := range w.Days {
			rec[i] = float64(d.Received)
			res[i] = float64(d.Resolved)
		}
		for _, s := range []struct {
			vals   plotter.Values
			col    color.Color
			off    vg.Length
			legend string
		}{
			{rec, colReceived, -barW / 2, w.Labels.Received},
			{res, colResolved, barW / 2, w.Labels.Resolved},
		} {
			b, err := plotter.NewBarChart(s.vals, barW)
			if err != nil {
				return nil, fmt.Errorf("chart: %w", err)
			}
			b.Color = s.col
			b.LineStyle.Width = 0
			b.Offset = s.off
			p.Add(b)
			if s.legend != "" {
				p.Legend.Add(s.legend, b)
			}
			// Values on top of the bars while they fit.
			if slot >= 60*scale {
				l, err := valueLabels(s.vals, w.Labels.Thousands, style(14), s.off, px(3))
				if err != nil {
					return nil, err
				}
				p.Add(l)
			}
		}

		names := dayNames(w.Days, w.Labels.DayNames)
		// Keep one label in every k so that neighbours do not touch.
		widest := 0.0
		for _, s := range names {
			widest = max(widest, float64(p.X.Tick.Label.Width(s)))
		}
		if k := int(math.Ceil((widest + 8*scale) / slot)); k > 1 {
			for i := range names {
				if i%k != 0 {
					names[i] = ""
				}
			}
		}
		p.NominalX(names...)
		p.X.Min, p.X.Max = -0.5, float64(n)-0.5
	}
	p.Y.Min, p.Y.Max = 0, float64(top)

	c := vgimg.NewWith(
		vgimg.UseWH(vg.Length(width), vg.Length(height)),
		vgimg.UseDPI(72),
		vgimg.UseBackgroundColor(color.White),
	)
	dc := draw.New(c)
	p.Draw(draw.Crop(dc, px(8), -px(12), px(8), -px(8)))

	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: encode: %w", err)
	}
	return buf.Bytes(), nil
}

// title is the caller's title with the on-time share on a second line
// when it is known.
func title(w Week) string {
	pct := w.OnTimePct
	if math.IsNaN(pct) || pct < 0 {
		return w.Title
	}
	share := Percent(pct, w.Labels.Decimal)
	if w.Labels.OnTime != "" {
		share = w.Labels.OnTime + ": " + share
	}
	if w.Title == "" {
		return share
	}
	return w.Title + "\n" + share
}

// Percent formats a share in percent with one decimal (none when it
// is whole), e.g. 95.25 → "95,3%" with decimal ",". Values above 100
// are clamped.
func Percent(pct float64, decimal string) string {
	pct = math.Min(pct, 100)
	s := strconv.FormatFloat(math.Round(pct*10)/10, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if decimal != "" {
		s = strings.Replace(s, ".", decimal, 1)
	}
	return s + "%"
}

// Int formats n with sep between groups of three digits.
func Int(n int, sep string) string {
	s := strconv.Itoa(n)
	if sep == "" {
		return s
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}

func dayNames(days []Day, wd [7]string) []string {
	names := make([]string, len(days))
	for i, d := range days {
		s := d.Date.Format("02/01")
		if n := wd[d.Date.Weekday()]; n != "" {
			s = n + "\n" + s
		}
		names[i] = s
	}
	return names
}

// niceTop is the top of the y axis and its tick step: above maxVal
// with room for the value labels and the legend, on a round number.
func niceTop(maxVal int) (top, step int) {
	if maxVal <= 0 {
		return 5, 1
	}
	step = niceStep(float64(maxVal) * 1.3 / 5)
	return int(math.Ceil(float64(maxVal)*1.3/float64(step))) * step, step
}

// niceStep is the smallest of 1, 2, 5 × 10^k at or above raw (at least 1).
func niceStep(raw float64) int {
	if raw <= 1 {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			return int(m * mag)
		}
	}
	return int(10 * mag)
}

// tickMarks labels 0..top every step.
func tickMarks(top, step int, sep string) []plot.Tick {
	var ticks []plot.Tick
	for v := 0; v <= top; v += step {
		ticks = append(ticks, plot.Tick{Value: float64(v), Label: Int(v, sep)})
	}
	return ticks
}

func valueLabels(vals plotter.Values, sep string, st text.Style, dx, dy vg.Length) (*plotter.Labels, error) {
	xys := make(plotter.XYs, len(vals))
	strs := make([]string, len(vals))
	styles := make([]text.Style, len(vals))
	st.XAlign = text.XCenter
	st.YAlign = text.YBottom
	for i, v := range vals {
		xys[i] = plotter.XY{X: float64(i), Y: v}
		strs[i] = Int(int(v), sep)
		styles[i] = st
	}
	l, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: strs})
	if err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	l.TextStyle = styles
	l.Offset = vg.Point{X: dx, Y: dy}
	return l, nil
}
