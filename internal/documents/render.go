package documents

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

type blockKind int

const (
	bTitle   blockKind = iota
	bNotice            // boxed, bold: what the reader must not miss
	bHeading           // a section
	bSub               // a subsection
	bPara
	bField // label: value
	bBullet
	bSmall // grey fine print
)

type block struct {
	kind         blockKind
	label, text  string
	indent       int // bullets: nesting level
	keepWithNext bool
}

// doc is a document being built: plain blocks of cleaned text, drawn by
// render. Building first and drawing second lets a notice about replaced
// characters go at the top, before the text that caused it.
type doc struct {
	loc      locale
	title    string
	date     time.Time
	blocks   []block
	replaced bool
}

func newDoc(loc locale, date time.Time) *doc {
	return &doc{loc: loc, date: date}
}

func (d *doc) clean(s string, multiline bool) string {
	out, rep := clean(s, multiline)
	d.replaced = d.replaced || rep
	return out
}

func (d *doc) add(kind blockKind, label, text string) {
	d.blocks = append(d.blocks, block{kind: kind, label: d.clean(label, false), text: d.clean(text, true)})
}

// setTitle names the document and puts its title first.
func (d *doc) setTitle(s string) {
	d.title = s
	d.add(bTitle, "", s)
}

func (d *doc) heading(s string)      { d.add(bHeading, "", s) }
func (d *doc) sub(s string)          { d.add(bSub, "", s) }
func (d *doc) para(s string)         { d.add(bPara, "", s) }
func (d *doc) notice(s string)       { d.add(bNotice, "", s) }
func (d *doc) small(s string)        { d.add(bSmall, "", s) }
func (d *doc) field(label, v string) { d.add(bField, label, v) }
func (d *doc) bullet(level int, s string) {
	d.add(bBullet, "", s)
	d.blocks[len(d.blocks)-1].indent = level
}

// fieldIf adds a field only when it has a value.
func (d *doc) fieldIf(label, v string) {
	if strings.TrimSpace(v) != "" {
		d.field(label, v)
	}
}

func (d *doc) date2(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

// Page geometry, in millimetres (A4).
const (
	marginX    = 20.0
	marginTop  = 18.0
	marginBot  = 20.0
	lineH      = 5.0
	bulletStep = 5.0
)

// render draws the document and writes the PDF to w. The output depends
// only on the document: the creation date is the document's date, resources
// are written in sorted order and nothing random goes in.
func (d *doc) render(w io.Writer) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(true)
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(d.date)
	pdf.SetModificationDate(d.date)
	pdf.SetProducer("Discern", true)
	pdf.SetCreator("Discern", true)
	pdf.SetTitle(d.clean(d.title, false), true)
	pdf.SetLang(d.loc.lang)
	pdf.AddUTF8FontFromBytes("go", "", goregular.TTF)
	pdf.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	pdf.SetMargins(marginX, marginTop, marginX)
	pdf.SetAutoPageBreak(true, marginBot)
	pdf.AliasNbPages("{nb}")
	confidential := d.clean(d.loc.t("common.confidential"), false)
	title := d.clean(d.title, false)
	pdf.SetHeaderFunc(func() {
		pdf.SetFont("go", "", 7.5)
		pdf.SetTextColor(90, 90, 90)
		pdf.MultiCell(0, 3.5, confidential, "", "L", false)
		pdf.SetTextColor(0, 0, 0)
		pdf.Ln(3)
	})
	pdf.SetFooterFunc(func() {
		pdf.SetY(-marginBot + 6)
		pdf.SetFont("go", "", 7.5)
		pdf.SetTextColor(90, 90, 90)
		page := d.loc.t("common.page", "n", strconv.Itoa(pdf.PageNo()), "total", "{nb}")
		pdf.CellFormat(0, 4, title+" · "+d.date2(d.date)+" · "+page, "", 0, "C", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.AddPage()

	blocks := d.blocks
	var notes []string
	notes = append(notes, d.loc.notes...)
	if d.replaced {
		notes = append(notes, d.loc.t("common.replaced_text"))
	}
	if len(notes) > 0 {
		// The reader must know, before anything else, that the document is
		// not in the person's language or that some text could not be shown.
		var head []block
		i := 0
		for i < len(blocks) && blocks[i].kind == bTitle {
			head = append(head, blocks[i])
			i++
		}
		for _, n := range notes {
			s, _ := clean(n, true)
			head = append(head, block{kind: bNotice, text: s})
		}
		blocks = append(head, blocks[i:]...)
	}

	width := func() float64 { pw, _ := pdf.GetPageSize(); l, _, r, _ := pdf.GetMargins(); return pw - l - r }
	ensure := func(h float64) {
		_, ph := pdf.GetPageSize()
		if pdf.GetY()+h > ph-marginBot {
			pdf.AddPage()
		}
	}
	for i, b := range blocks {
		switch b.kind {
		case bTitle:
			pdf.SetFont("go", "B", 16)
			pdf.MultiCell(0, 7.5, b.text, "", "L", false)
			pdf.Ln(2)
		case bNotice:
			pdf.Ln(1)
			pdf.SetFont("go", "B", 10)
			pdf.SetFillColor(238, 238, 238)
			pdf.MultiCell(0, lineH, b.text, "1", "L", true)
			pdf.Ln(2)
		case bHeading:
			ensure(25) // no heading alone at the foot of a page
			pdf.Ln(2)
			pdf.SetFont("go", "B", 13)
			pdf.MultiCell(0, 6.5, b.text, "B", "L", false)
			pdf.Ln(1.5)
		case bSub:
			ensure(18)
			pdf.Ln(1)
			pdf.SetFont("go", "B", 11)
			pdf.MultiCell(0, 5.5, b.text, "", "L", false)
		case bPara:
			pdf.SetFont("go", "", 10)
			pdf.MultiCell(0, lineH, b.text, "", "L", false)
			pdf.Ln(1)
		case bSmall:
			pdf.SetFont("go", "", 8)
			pdf.SetTextColor(90, 90, 90)
			pdf.MultiCell(0, 4, b.text, "", "L", false)
			pdf.SetTextColor(0, 0, 0)
		case bField:
			// Label above value: a two-column row cannot break across
			// pages, and a value may be pages long.
			ensure(2 * lineH)
			pdf.SetFont("go", "B", 9)
			pdf.MultiCell(0, 4.5, b.label, "", "L", false)
			pdf.SetFont("go", "", 10)
			l, t, r, _ := pdf.GetMargins()
			pdf.SetLeftMargin(l + 4)
			pdf.SetX(l + 4)
			pdf.MultiCell(width(), lineH, b.text, "", "L", false)
			pdf.SetLeftMargin(l)
			pdf.SetMargins(l, t, r)
			pdf.SetX(l)
			if i+1 < len(blocks) && blocks[i+1].kind == bField {
				pdf.Ln(1)
			}
		case bBullet:
			pdf.SetFont("go", "", 10)
			l, t, r, _ := pdf.GetMargins()
			in := l + float64(b.indent)*bulletStep
			pdf.SetX(in)
			pdf.CellFormat(bulletStep, lineH, "•", "", 0, "L", false, 0, "")
			pdf.SetLeftMargin(in + bulletStep)
			pdf.MultiCell(width(), lineH, b.text, "", "L", false)
			pdf.SetMargins(l, t, r)
			pdf.SetX(l)
		}
		if err := pdf.Error(); err != nil {
			return fmt.Errorf("documents: drawing the PDF: %w", err)
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return fmt.Errorf("documents: writing the PDF: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
