// Command chart draws the benchmark comparison: for each workload, the time
// (or, for F, the peak memory) of every library relative to futures, on a log
// scale, so that 1 is futures and a point above it is slower than futures.
//
//	go run ./chart -o chart.svg results.txt
//
// It reads the output of run.sh: go test -bench lines (the median of each
// library's runs; ns/task where a workload reports it, else ns/op) and
// peakmem's "lib=X wall=… peak_rss_kib=N" lines for workload F.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"image/color"
	"log"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

var (
	benchLine = regexp.MustCompile(`^Benchmark([A-G])/lib=([\w-]+)-\d+\s+\d+\s+(.*)$`)
	memLine   = regexp.MustCompile(`^lib=([\w-]+) wall=\S+ peak_rss_kib=(\d+)`)
)

func main() {
	out := flag.String("o", "chart.svg", "the SVG file to write")
	flag.Parse()
	if flag.NArg() != 1 {
		log.Fatal("usage: chart [-o chart.svg] results.txt")
	}
	samples, err := read(flag.Arg(0))
	if err != nil {
		log.Fatal(err)
	}
	workloads, ratios := relative(samples)
	if err := render(workloads, ratios, *out); err != nil {
		log.Fatal(err)
	}
}

// samples holds every measurement: workload, then library, then the runs.
type samples map[string]map[string][]float64

func (s samples) add(workload, lib string, v float64) {
	if s[workload] == nil {
		s[workload] = map[string][]float64{}
	}
	s[workload][lib] = append(s[workload][lib], v)
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
		line := sc.Text()
		if m := benchLine.FindStringSubmatch(line); m != nil {
			if v, ok := metric(m[3]); ok {
				s.add(m[1], m[2], v)
			}
		} else if m := memLine.FindStringSubmatch(line); m != nil {
			v, _ := strconv.ParseFloat(m[2], 64)
			s.add("F", m[1], v)
		}
	}
	return s, sc.Err()
}

// metric picks ns/task from a benchmark line's measurements, else ns/op.
func metric(fields string) (float64, bool) {
	f := strings.Fields(fields)
	var op float64
	found := false
	for i := 1; i < len(f); i++ {
		v, err := strconv.ParseFloat(f[i-1], 64)
		if err != nil {
			continue
		}
		switch f[i] {
		case "ns/task":
			return v, true
		case "ns/op":
			op, found = v, true
		}
	}
	return op, found
}

func median(vs []float64) float64 {
	vs = slices.Sorted(slices.Values(vs))
	n := len(vs)
	if n%2 == 1 {
		return vs[n/2]
	}
	return (vs[n/2-1] + vs[n/2]) / 2
}

// relative returns, per library, its median over futures' in each workload
// that both ran; NaN where it did not.
func relative(s samples) (workloads []string, ratios map[string][]float64) {
	for w := range s {
		if _, ok := s[w]["futures"]; ok {
			workloads = append(workloads, w)
		}
	}
	slices.Sort(workloads)
	ratios = map[string][]float64{}
	for i, w := range workloads {
		base := median(s[w]["futures"])
		for lib, vs := range s[w] {
			if ratios[lib] == nil {
				ratios[lib] = make([]float64, len(workloads))
				for j := range ratios[lib] {
					ratios[lib][j] = math.NaN()
				}
			}
			ratios[lib][i] = median(vs) / base
		}
	}
	return workloads, ratios
}

func render(workloads []string, ratios map[string][]float64, out string) error {
	p := plot.New()
	p.Title.Text = "Time relative to futures (F: peak memory); lower is better"
	p.Y.Label.Text = "× futures (log scale)"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = ratioTicks{}
	p.X.Min, p.X.Max = -0.6, float64(len(workloads))-0.4
	p.NominalX(workloads...)
	p.Legend.Top = true
	p.Legend.XOffs = vg.Points(-4)

	libs := make([]string, 0, len(ratios))
	for lib := range ratios {
		libs = append(libs, lib)
	}
	slices.Sort(libs)
	for i, lib := range libs {
		var pts plotter.XYs
		for w, r := range ratios[lib] {
			if !math.IsNaN(r) && r > 0 {
				x := float64(w) + 0.6*(float64(i)/float64(max(1, len(libs)-1))-0.5)
				pts = append(pts, plotter.XY{X: x, Y: r})
			}
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return fmt.Errorf("%s: %w", lib, err)
		}
		sc.GlyphStyle.Color = palette(i)
		sc.GlyphStyle.Shape = draw.GlyphDrawer(shapes[i%len(shapes)])
		sc.GlyphStyle.Radius = vg.Points(4)
		if lib == "futures" {
			sc.GlyphStyle.Radius = vg.Points(6)
		}
		p.Add(sc)
		p.Legend.Add(lib, sc)
	}
	lo, hi := 1.0, 1.0
	for _, rs := range ratios {
		for _, r := range rs {
			if !math.IsNaN(r) && r > 0 {
				lo, hi = min(lo, r), max(hi, r)
			}
		}
	}
	p.Y.Min, p.Y.Max = lo/1.5, hi*1.5
	one := plotter.NewFunction(func(float64) float64 { return 1 })
	one.Color = color.Gray{Y: 128}
	one.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
	p.Add(one)
	return p.Save(10*vg.Inch, 5*vg.Inch, out)
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

var shapes = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.PyramidGlyph{},
	draw.RingGlyph{}, draw.BoxGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{},
}

func palette(i int) color.Color {
	colors := []color.RGBA{
		{0x1f, 0x77, 0xb4, 255}, {0xff, 0x7f, 0x0e, 255}, {0x2c, 0xa0, 0x2c, 255},
		{0xd6, 0x27, 0x28, 255}, {0x94, 0x67, 0xbd, 255}, {0x8c, 0x56, 0x4b, 255},
		{0xe3, 0x77, 0xc2, 255}, {0x7f, 0x7f, 0x7f, 255}, {0xbc, 0xbd, 0x22, 255},
		{0x17, 0xbe, 0xcf, 255},
	}
	return colors[i%len(colors)]
}
