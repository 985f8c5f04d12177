package intake

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"xabot/internal/domain"
)

// ImportFile imports the dossier table at path as ImportCSV or ImportXLSX
// would, by its extension: .csv, .tsv and .txt (Excel's "Unicode text") are
// CSV; .xlsx and .xlsm are workbooks. An old .xls workbook is a
// *domain.InvalidError "import.xls_unsupported" (save it as .xlsx or CSV),
// anything else "import.unknown_format".
func (im *Importer) ImportFile(ctx context.Context, path, source string) (Report, error) {
	src, conv, closeFn, err := openFile(path, dossierTable())
	if err != nil {
		return Report{}, err
	}
	defer closeFn()
	unit := "row" // a workbook's rows; a CSV file's lines
	if conv == nil {
		unit = "line"
	}
	return im.importTable(ctx, src, source, conv, unit)
}

// ImportXLSX imports the first sheet of an Excel workbook (.xlsx) as
// ImportCSV imports a CSV file: same columns and rules, rows numbered as
// Excel shows them, title and blank rows above the header skipped. Dates may
// be text or Excel dates (serial numbers); numbers that lost a leading
// zero (a phone 905123456) are read as their digits. The compressed file is
// read into memory (ImportFile reads one in place); its sheet and shared
// strings are read as streams, so what a workbook unzips to is never held
// whole: a cell over 32,767 characters (Excel's own limit) is reported by
// its row, "import.cell_too_long", and the other rows are imported. A file
// that is not a workbook is a *domain.InvalidError "import.bad_xlsx", an
// old .xls one "import.xls_unsupported".
func (im *Importer) ImportXLSX(ctx context.Context, r io.Reader, source string) (Report, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return Report{}, fmt.Errorf("intake: read: %w", err)
	}
	return im.importZip(ctx, bytes.NewReader(b), int64(len(b)), source)
}

// oleMagic starts an OLE compound file: an .xls workbook, or an encrypted
// .xlsx.
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

func badXLSX(err error) error {
	return fmt.Errorf("%w (%v)", domain.Invalid("import.bad_xlsx"), err)
}

func (im *Importer) importZip(ctx context.Context, r io.ReaderAt, size int64, source string) (Report, error) {
	rows, conv, closeFn, err := zipSource(r, size)
	if err != nil {
		return Report{}, err
	}
	defer closeFn()
	return im.importTable(ctx, rows, source, conv, "row")
}

// zipSource reads the first sheet of the workbook in r; conv makes sense
// of its raw cells by column (xlsxValue); closeFn closes what it opened.
func zipSource(r io.ReaderAt, size int64) (rows rowSource, conv func(column, value string) string, closeFn func(), err error) {
	magic := make([]byte, len(oleMagic))
	if _, err := r.ReadAt(magic, 0); err == nil && bytes.Equal(magic, oleMagic) {
		// BIFF .xls, or a password-protected workbook: both are OLE files.
		return nil, nil, nil, domain.Invalid("import.xls_unsupported")
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, nil, nil, badXLSX(err)
	}
	w, err := openWorkbook(zr)
	if err != nil {
		return nil, nil, nil, err
	}
	sheet, err := openSheet(w)
	if err != nil {
		w.Close()
		return nil, nil, nil, err
	}
	conv = func(column, v string) string { return xlsxValue(column, v, w.date1904) }
	return sheet, conv, func() { sheet.Close(); w.Close() }, nil
}

// dateColumns are the columns holding a date.
var dateColumns = map[string]bool{
	"received_at": true, "due_at": true, "finished_at": true, "returned_at": true, "extended_due_at": true,
}

// Excel dates worth reading as such: 1970-01-01 to 2199-12-31. A number
// outside (2025 typed into a date column) stays a number and is reported.
const (
	minSerial = 25569
	maxSerial = 109575
)

// xlsxValue turns a raw cell value of column into the text ParseRecord
// reads: in a date column an Excel serial date becomes "YYYY-MM-DD
// HH:MM:SS" (local wall time, as Excel has no zone); a number Excel wrote
// in exponent form ("9.05123456E8") becomes its plain digits. Text is left
// as it is.
func xlsxValue(column, v string, date1904 bool) string {
	s := strings.TrimSpace(v)
	if s == "" || strings.IndexFunc(s, func(r rune) bool {
		return (r < '0' || r > '9') && r != '.' && r != 'E' && r != 'e' && r != '+' && r != '-'
	}) >= 0 {
		return v
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return v
	}
	if dateColumns[column] {
		if t, ok := serialTime(f, date1904); ok {
			return t.Format("2006-01-02 15:04:05")
		}
		return v
	}
	if strings.ContainsAny(s, "eE") && f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return v
}

// serialTime reads an Excel serial date (days since 1899-12-30, or since
// 1904-01-01 in a 1904 workbook, the fraction being the time of day),
// rounded to the second, as a wall time in UTC.
func serialTime(f float64, date1904 bool) (time.Time, bool) {
	if date1904 {
		f += 1462 // 1904-01-01 is day 1462 of the 1900 system
	}
	if f < minSerial || f >= maxSerial {
		return time.Time{}, false
	}
	days := math.Floor(f)
	secs := math.Round((f - days) * 86400)
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	return base.AddDate(0, 0, int(days)).Add(time.Duration(secs) * time.Second), true
}
