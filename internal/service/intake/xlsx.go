package intake

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"xabot/internal/domain"
)

// ImportFile imports the dossier table at path as ImportCSV or ImportXLSX
// would, by its extension: .csv, .tsv and .txt (Excel's "Unicode text") are
// CSV; .xlsx and .xlsm are workbooks. An old .xls workbook is a
// *domain.InvalidError "import.xls_unsupported" (save it as .xlsx or CSV),
// anything else "import.unknown_format".
func (im *Importer) ImportFile(ctx context.Context, path, source string) (Report, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".csv", ".tsv", ".txt":
		f, err := os.Open(path)
		if err != nil {
			return Report{}, fmt.Errorf("intake: %w", err)
		}
		defer f.Close()
		return im.ImportCSV(ctx, f, source)
	case ".xlsx", ".xlsm":
		f, err := os.Open(path)
		if err != nil {
			return Report{}, fmt.Errorf("intake: %w", err)
		}
		magic := make([]byte, len(oleMagic))
		_, err = io.ReadFull(f, magic)
		f.Close()
		if err == nil && bytes.Equal(magic, oleMagic) {
			return Report{}, domain.Invalid("import.xls_unsupported")
		}
		// OpenFile unzips from the file in place, without a copy in memory.
		x, err := excelize.OpenFile(path, xlsxOptions)
		if err != nil {
			return Report{}, badXLSX(err)
		}
		defer x.Close()
		return im.importWorkbook(ctx, x, source)
	case ".xls":
		return Report{}, domain.Invalid("import.xls_unsupported")
	default:
		return Report{}, domain.Invalid("import.unknown_format", "file", filepath.Base(path))
	}
}

// ImportXLSX imports the first sheet of an Excel workbook (.xlsx) as
// ImportCSV imports a CSV file: same columns and rules, rows numbered as
// Excel shows them, title and blank rows above the header skipped. Dates may
// be text or Excel dates (serial numbers); numbers that lost a leading
// zero (a phone 905123456) are read as their digits. The sheet is read as
// a stream, row by row. The whole workbook is read into memory to unzip
// it; ImportFile reads a file in place. A file that is not a workbook is a
// *domain.InvalidError "import.bad_xlsx", an old .xls one
// "import.xls_unsupported".
func (im *Importer) ImportXLSX(ctx context.Context, r io.Reader, source string) (Report, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return Report{}, fmt.Errorf("intake: read: %w", err)
	}
	if bytes.HasPrefix(b, oleMagic) {
		// BIFF .xls, or a password-protected workbook: both are OLE files.
		return Report{}, domain.Invalid("import.xls_unsupported")
	}
	x, err := excelize.OpenReader(bytes.NewReader(b), xlsxOptions)
	if err != nil {
		return Report{}, badXLSX(err)
	}
	defer x.Close()
	return im.importWorkbook(ctx, x, source)
}

// oleMagic starts an OLE compound file: an .xls workbook, or an encrypted
// .xlsx.
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// xlsxOptions bound what a workbook may unzip to (a zip bomb stops there);
// sheets over excelize's default 16 MiB are unzipped to a temporary file
// rather than memory.
var xlsxOptions = excelize.Options{UnzipSizeLimit: 1 << 30}

func badXLSX(err error) error {
	return fmt.Errorf("%w (%v)", domain.Invalid("import.bad_xlsx"), err)
}

func (im *Importer) importWorkbook(ctx context.Context, x *excelize.File, source string) (Report, error) {
	sheets := x.GetSheetList()
	if len(sheets) == 0 {
		return Report{}, domain.Invalid("import.empty")
	}
	date1904 := false
	if p, err := x.GetWorkbookProps(); err == nil && p.Date1904 != nil {
		date1904 = *p.Date1904
	}
	rows, err := x.Rows(sheets[0])
	if err != nil {
		return Report{}, badXLSX(err)
	}
	defer rows.Close()
	conv := func(column, v string) string { return xlsxValue(column, v, date1904) }
	return im.importTable(ctx, &xlsxRows{rows: rows}, source, conv, "row")
}

// xlsxRows reads a sheet's rows with excelize's streaming iterator. Cells
// are read raw: the value stored, not as the cell's number format shows
// it ("905123456", not "905,123,456"; a date's serial number, not
// "6/2/25"), xlsxValue making sense of them by column.
type xlsxRows struct {
	rows *excelize.Rows
	n    int // the row number: the iterator yields missing rows too, empty
}

func (s *xlsxRows) next() ([]string, int, error) {
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return nil, 0, err
		}
		return nil, 0, io.EOF
	}
	s.n++
	cells, err := s.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, s.n, &LineError{Line: s.n, Key: "import.bad_cell"}
	}
	return cells, s.n, nil
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
