package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

var targetAges = []float64{3.8, 5.6, 6.2, 5.8, 5.4, 5.3, 6.6, 8.4, 6.8, 6.6, 8.6, 8.7, 6.3, 4.4, 3.5, 2.3, 1.4, 0.7, 0.3}

type tally struct {
	ages  [19]float64
	n, hh float64
	dead  float64
	sizes [9]float64
}

func sample(m *model, n int, agriShare float64, t *tally) {
	sur := func() string { return "王" }
	for range n {
		agri := m.r.Float64() < agriShare
		ms := m.household(1000, agri, sur)
		t.hh++
		t.sizes[min(len(ms), 8)]++
		for _, p := range ms {
			t.n++
			if p.dead {
				t.dead++
				continue
			}
			a := ageOn(p.birth, m.today) / 5
			t.ages[min(a, 18)]++
		}
	}
}

func TestCalibrate(t *testing.T) {
	if os.Getenv("JISHENG_CALIBRATE") == "" {
		t.Skip()
	}
	today := dayOf(2025, 6, 30)
	nb := len(founderBands)
	M := make([][19]float64, nb)
	for b := range nb {
		oneHot := make([]float64, nb)
		oneHot[b] = 1
		m := newModel(rand.New(rand.NewPCG(1, uint64(b))), today)
		m.founder = founderYears(today, oneHot)
		var tl tally
		sample(m, 40000, 0.8, &tl)
		for a := range 19 {
			M[b][a] = tl.ages[a] / tl.hh
		}
		fmt.Printf("band %d: %.2f persons/hh\n", founderBand0+5*b, tl.n/tl.hh)
	}
	T := make([]float64, 19)
	s := 0.0
	for _, x := range targetAges {
		s += x
	}
	for a := range T {
		T[a] = targetAges[a] / s
	}
	w := make([]float64, nb)
	for b := range w {
		w[b] = 1.0 / float64(nb)
	}
	for iter := 0; iter < 20000; iter++ {
		pred := make([]float64, 19)
		for b := range nb {
			for a := range 19 {
				pred[a] += w[b] * M[b][a]
			}
		}
		for b := range nb {
			num, den := 0.0, 0.0
			for a := range 19 {
				num += M[b][a] * T[a] / math.Max(pred[a], 1e-12)
				den += M[b][a]
			}
			w[b] *= num / den
		}
	}
	pred := make([]float64, 19)
	tot := 0.0
	for b := range nb {
		for a := range 19 {
			pred[a] += w[b] * M[b][a]
			tot += w[b] * M[b][a]
		}
	}
	for a := range 19 {
		fmt.Printf("age %2d: target %.2f got %.2f\n", a*5, T[a]*100, pred[a]/tot*100)
	}
	ws := 0.0
	for _, x := range w {
		ws += x
	}
	fmt.Print("weights: ")
	for _, x := range w {
		fmt.Printf("%.2f, ", x/ws*100)
	}
	fmt.Println()
}

func TestModelStats(t *testing.T) {
	if os.Getenv("JISHENG_CALIBRATE") == "" {
		t.Skip()
	}
	today := dayOf(2025, 6, 30)
	m := newModel(rand.New(rand.NewPCG(7, 7)), today)
	var tl tally
	sample(m, 50000, 0.8, &tl)
	fmt.Printf("persons/hh %.2f, deceased %.2f%%\n", tl.n/tl.hh, tl.dead/tl.n*100)
	for i, c := range tl.sizes {
		fmt.Printf("size %d: %.1f%%\n", i, c/tl.hh*100)
	}
	alive := tl.n - tl.dead
	old := 0.0
	for a := 12; a < 19; a++ {
		old += tl.ages[a]
	}
	for a := range 19 {
		fmt.Printf("age %2d: %.2f (target %.2f)\n", a*5, tl.ages[a]/alive*100, targetAges[a])
	}
	fmt.Printf("60+: %.1f%%\n", old/alive*100)
}
