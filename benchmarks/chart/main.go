// Command chart draws the benchmark comparison as a dot plot: a row per
// workload, named in words, and on it each library's median relative to
// futures', on a log scale. futures is the bold line at 1×; a point to its
// right is worse than futures (slower, or for F and I more memory), one to its
// left better. The legend sits to the right of the plot, and notes on H and
// I under it.
//
//	go run ./chart -o chart.svg results.txt
//
// It reads the output of run.sh: go test -bench lines (ns/task where a
// workload reports it, else ns/op), peakmem's "lib=X wall=… peak_rss_kib=N"
// lines for workload F, and the bursts of H (a row each for p50-ms and
// makespan-ms at each pool size, relative to futures-map, with futures' other
// ways drawn in its colour) and I (stack-MiB-after-minus-before). The file's
// extension picks the format: .svg, .png, .pdf and so on.
package main

import (
	"bufio"
	"cmp"
	"flag"
	"fmt"
	"image/color"
	"log"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

var (
	benchLine = regexp.MustCompile(`^Benchmark([A-I])/(?:size=(\d+)/)?lib=([\w-]+)-\d+\s+\d+\s+(.*)$`)
	memLine   = regexp.MustCompile(`^lib=([\w-]+) wall=\S+ peak_rss_kib=(\d+)`)
)

// names says in words what each workload does; H's rows add the measure and
// the pool size.
var names = map[string]string{
	"A": "1,000 tiny tasks, wait all",
	"B": "submit, wait, repeat",
	"C": "map 10,000 items",
	"D": "1 ms sleeps on 64 workers",
	"E": "8 submitters",
	"F": "peak memory, 10,000 workers",
	"G": "A with a request ctx",
	"I": "stack after a burst",
}

// burstMeasures are the metrics of H that get a row, in the rows' order.
var burstMeasures = []string{"p50", "makespan"}

// stackFloor is the least stack (MiB) that I counts, so that a library that
// kept none (or, by the noise of a GC, less than none) is not a division by
// zero or off a log scale.
const stackFloor = 0.1

func main() {
	out := flag.String("o", "chart.svg", "the file to write; its extension picks the format")
	flag.Parse()
	if flag.NArg() != 1 {
		log.Fatal("usage: chart [-o chart.svg] results.txt")
	}
	s, err := read(flag.Arg(0))
	if err != nil {
		log.Fatal(err)
	}
	if err := render(s, *out); err != nil {
		log.Fatal(err)
	}
}

// A row is one line of the chart: a workload and, for H, a measure and size.
type row struct {
	workload, measure string
	size              int
}

func (r row) label() string {
	if r.workload == "H" {
		return fmt.Sprintf("burst: %s, %s workers (H)", r.measure, thousands(r.size))
	}
	return fmt.Sprintf("%s (%s)", names[r.workload], r.workload)
}

// reference is the library the row is relative to.
func (r row) reference() string {
	if r.workload == "H" {
		return "futures-map"
	}
	return "futures"
}

func thousands(n int) string {
	if n < 1000 {
		return strconv.Itoa(n)
	}
	return fmt.Sprintf("%s,%03d", thousands(n/1000), n%1000)
}

// samples holds every measurement: row, then library, then the runs.
type samples map[row]map[string][]float64

func (s samples) add(r row, lib string, v float64) {
	if s[r] == nil {
		s[r] = map[string][]float64{}
	}
	s[r][lib] = append(s[r][lib], v)
}

func read(path string) (samples, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s := samples{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := memLine.FindStringSubmatch(sc.Text()); m != nil {
			v, _ := strconv.ParseFloat(m[2], 64)
			s.add(row{workload: "F"}, m[1], v)
			continue
		}
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		w, lib, ms := m[1], m[3], metrics(m[4])
		switch w {
		case "H":
			size, _ := strconv.Atoi(m[2])
			for _, name := range burstMeasures {
				if v, ok := ms[name+"-ms"]; ok {
					s.add(row{w, name, size}, lib, v)
				}
			}
		case "I":
			if v, ok := ms["stack-MiB-after-minus-before"]; ok {
				s.add(row{workload: w}, lib, v)
			}
		default:
			if v, ok := ms["ns/task"]; ok {
				s.add(row{workload: w}, lib, v)
			} else if v, ok := ms["ns/op"]; ok {
				s.add(row{workload: w}, lib, v)
			}
		}
	}
	return s, sc.Err()
}

// metrics maps each unit of a benchmark line's measurements to its value.
func metrics(fields string) map[string]float64 {
	f := strings.Fields(fields)
	m := map[string]float64{}
	for i := 1; i < len(f); i += 2 {
		if v, err := strconv.ParseFloat(f[i-1], 64); err == nil {
			m[f[i]] = v
		}
	}
	return m
}

// median is the median of a row's runs; in I, at least stackFloor.
func (r row) median(vs []float64) float64 {
	if r.workload == "I" {
		return max(median(vs), stackFloor)
	}
	return median(vs)
}

func median(vs []float64) float64 {
	vs = slices.Sorted(slices.Values(vs))
	n := len(vs)
	if n%2 == 1 {
		return vs[n/2]
	}
	return (vs[n/2-1] + vs[n/2]) / 2
}

// relative returns the rows whose reference ran, in order, and for each the
// median of every other library over the reference's.
func relative(s samples) (rows []row, ratios []map[string]float64) {
	for r, libs := range s {
		if _, ok := libs[r.reference()]; ok {
			rows = append(rows, r)
		}
	}
	slices.SortFunc(rows, func(a, b row) int {
		return cmp.Or(cmp.Compare(a.workload, b.workload), cmp.Compare(a.size, b.size),
			cmp.Compare(slices.Index(burstMeasures, a.measure), slices.Index(burstMeasures, b.measure)))
	})
	for _, r := range rows {
		base := r.median(s[r][r.reference()])
		rs := map[string]float64{}
		for lib, vs := range s[r] {
			if lib != r.reference() {
				rs[lib] = r.median(vs) / base
			}
		}
		ratios = append(ratios, rs)
	}
	return rows, ratios
}

// Sizes, in points: 675 pt is 900 px at 96 dpi.
const (
	width, height = 675, 440
	bottom        = 50 // under the plot: the X axis's label and the notes
	fontSize      = 11
)

func render(s samples, out string) error {
	rows, ratios := relative(s)
	if len(rows) == 0 {
		return fmt.Errorf("no workload with futures in it")
	}
	styles := styleLibs(ratios)

	p := plot.New()
	p.Title.Text = "Each library relative to futures (1×); right of the line is worse"
	p.Title.TextStyle.Font.Size = 13
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = ratioTicks{}
	for _, t := range []*font.Font{&p.X.Tick.Label.Font, &p.Y.Tick.Label.Font} {
		t.Size = fontSize
	}
	labels := make([]string, len(rows))
	for i, r := range rows {
		labels[len(rows)-1-i] = r.label() // the first row on top
	}
	p.NominalY(labels...)
	n := float64(len(rows))
	p.Y.Min, p.Y.Max = -0.5, n-0.5

	lo, hi := 1.0, 1.0
	for _, rs := range ratios {
		for _, v := range rs {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	p.X.Min, p.X.Max = lo/1.4, hi*1.4
	for y := 0.5; y < n-1; y++ { // a faint line between rows
		l, _ := plotter.NewLine(plotter.XYs{{X: p.X.Min, Y: y}, {X: p.X.Max, Y: y}})
		l.Color = color.Gray{Y: 225}
		p.Add(l)
	}
	one, _ := plotter.NewLine(plotter.XYs{{X: 1, Y: p.Y.Min}, {X: 1, Y: p.Y.Max}})
	one.Color, one.Width = futuresColour, vg.Points(2.5)
	p.Add(one)

	// A row's points are spread over its height, so that near ties stay apart.
	points := map[string]plotter.XYs{}
	for i, rs := range ratios {
		libs := slices.SortedFunc(maps.Keys(rs), styles.compare)
		for k, lib := range libs {
			y := n - 1 - float64(i)
			if len(libs) > 1 {
				y += 0.3 - 0.6*float64(k)/float64(len(libs)-1)
			}
			points[lib] = append(points[lib], plotter.XY{X: rs[lib], Y: y})
		}
	}
	legend := plot.NewLegend()
	legend.TextStyle.Font.Size = fontSize
	legend.Left, legend.Top = true, true
	legend.Add("futures (H: futures-map)", one)
	for _, lib := range styles.order {
		sc, err := plotter.NewScatter(points[lib])
		if err != nil {
			return fmt.Errorf("%s: %w", lib, err)
		}
		sc.GlyphStyle = styles.glyph[lib]
		p.Add(sc)
		legend.Add(lib, sc)
	}

	c, err := draw.NewFormattedCanvas(width, height, strings.TrimPrefix(filepath.Ext(out), "."))
	if err != nil {
		return err
	}
	dc := draw.New(c)
	dc.SetColor(color.White) // all of it: a transparent legend is unreadable on a dark page
	dc.Fill(dc.Rectangle.Path())
	lr := legend.Rectangle(dc)
	legendWidth := lr.Max.X - lr.Min.X + 16
	pc := draw.Crop(dc, 6, -legendWidth, bottom, -4)
	p.Draw(pc)
	legend.Draw(draw.Crop(dc, width-legendWidth+12, 0, bottom, -28))

	// The X axis's label is drawn here, as plot pads a log axis for a
	// centred label as if it were at the arithmetic mean of the range.
	da := p.DataCanvas(pc)
	sty := p.X.Tick.Label
	sty.YAlign = draw.YTop
	dc.FillText(sty, vg.Point{X: (da.Min.X + da.Max.X) / 2, Y: bottom}, "× futures, log scale: time, or for F and I memory")
	notes := []string{"H: 2,000 requests of 8 calls each released at once on one pool; futures-group and futures-submit are futures' other ways."}
	if floored(s) {
		notes = append(notes, fmt.Sprintf("I: a median stack under %g MiB (after minus before the burst, which can be below 0) counts as %g MiB.", stackFloor, stackFloor))
	}
	sty.Font.Size, sty.XAlign = 9, draw.XLeft
	for i, note := range notes {
		dc.FillText(sty, vg.Point{X: 8, Y: vg.Length(bottom - 18 - 11*i)}, note)
	}

	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := c.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// floored reports whether some library's stack in I was under stackFloor.
func floored(s samples) bool {
	for _, vs := range s[row{workload: "I"}] {
		if median(vs) < stackFloor {
			return true
		}
	}
	return false
}

// ratioTicks labels a log axis at 1, 2 and 5 times each power of ten.
type ratioTicks struct{}

func (ratioTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for p := math.Floor(math.Log10(lo)); math.Pow(10, p) <= hi; p++ {
		for _, m := range []float64{1, 2, 5} {
			if v := m * math.Pow(10, p); v >= lo && v <= hi {
				ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', -1, 64) + "×"})
			}
		}
	}
	return ticks
}

var futuresColour = color.RGBA{0xc8, 0x10, 0x2e, 255}

// familyColours are muted, one per family of peers (the name before its
// first "-"); the baselines that use no pool are grey.
var familyColours = map[string]color.RGBA{
	"ants":       {0xb0, 0x7a, 0xa1, 255},
	"conc":       {0x9c, 0x75, 0x5f, 255},
	"errgroup":   {0x59, 0xa1, 0x4f, 255},
	"pond":       {0xf2, 0x8e, 0x2b, 255},
	"semaphore":  {0x4e, 0x79, 0xa7, 255},
	"workerpool": {0x49, 0x98, 0x94, 255},
}

var (
	futuresShapes = []draw.GlyphDrawer{draw.BoxGlyph{}, draw.PyramidGlyph{}, draw.CircleGlyph{}}
	peerShapes    = []draw.GlyphDrawer{draw.RingGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{}}
)

// libStyles is how every library is drawn, and its order in the legend:
// futures' ways first, then the peers by name.
type libStyles struct {
	order []string
	glyph map[string]draw.GlyphStyle
}

func (l libStyles) compare(a, b string) int {
	return cmp.Compare(slices.Index(l.order, a), slices.Index(l.order, b))
}

// styleLibs gives futures' ways filled glyphs in its colour, and each peer a
// hollow glyph in its family's colour, a different shape within the family.
func styleLibs(ratios []map[string]float64) libStyles {
	l := libStyles{glyph: map[string]draw.GlyphStyle{}}
	for _, rs := range ratios {
		for lib := range rs {
			if !slices.Contains(l.order, lib) {
				l.order = append(l.order, lib)
			}
		}
	}
	slices.SortFunc(l.order, func(a, b string) int {
		return cmp.Or(cmp.Compare(peer(a), peer(b)), cmp.Compare(a, b))
	})
	used := map[string]int{}
	for _, lib := range l.order {
		fam := family(lib)
		k := used[fam]
		used[fam]++
		g := draw.GlyphStyle{Radius: vg.Points(4), Color: color.Gray{Y: 130}, Shape: peerShapes[k%len(peerShapes)]}
		if fam == "futures" {
			g.Color, g.Shape = futuresColour, futuresShapes[k%len(futuresShapes)]
		} else if c, ok := familyColours[fam]; ok {
			g.Color = c
		}
		l.glyph[lib] = g
	}
	return l
}

func peer(lib string) int {
	if family(lib) == "futures" {
		return 0
	}
	return 1
}

// family is futures, a key of familyColours, or "" for the rest.
func family(lib string) string {
	fam, _, _ := strings.Cut(lib, "-")
	if _, ok := familyColours[fam]; ok || fam == "futures" {
		return fam
	}
	return ""
}
