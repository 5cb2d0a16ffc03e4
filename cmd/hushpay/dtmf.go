package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hushpay/hushpay/internal/dtmf"
	"github.com/hushpay/hushpay/internal/wav"
)

const dtmfUsage = `usage:
  hushpay dtmf detect [--json] FILE.wav
  hushpay dtmf generate DIGITS -o FILE.wav [--on 80ms] [--off 80ms] [--level -10] [--twist 0] [--offset 0] [--codec pcm16|pcmu|pcma]`

// cmdDTMF runs "hushpay dtmf detect" and "hushpay dtmf generate".
func cmdDTMF(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: missing subcommand\n%s", errUsage, dtmfUsage)
	}
	switch args[0] {
	case "detect":
		return dtmfDetect(args[1:], stdout, stderr)
	case "generate":
		return dtmfGenerate(args[1:], stderr)
	case "-h", "--help", "help":
		fmt.Fprintln(stderr, dtmfUsage)
		return nil
	}
	return fmt.Errorf("%w: unknown subcommand %q\n%s", errUsage, args[0], dtmfUsage)
}

// pressJSON is one press in the output of "dtmf detect --json".
type pressJSON struct {
	Key         string  `json:"key"`
	Start       float64 `json:"start"`        // seconds
	End         float64 `json:"end"`          // seconds
	StartSample int64   `json:"start_sample"` // index in the file's own sample rate
	EndSample   int64   `json:"end_sample"`   // exclusive
	Level       float64 `json:"level"`        // dBm0 per tone
}

// detectJSON is the document "dtmf detect --json" prints.
type detectJSON struct {
	File       string      `json:"file"`
	Encoding   string      `json:"encoding"`
	SampleRate int         `json:"sample_rate"`
	Duration   float64     `json:"duration"` // seconds
	Digits     string      `json:"digits"`
	Presses    []pressJSON `json:"presses"`
}

func dtmfDetect(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("dtmf detect", stderr)
	asJSON := fs.Bool("json", false, "print each press with its start, end and level as JSON")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: want exactly one WAV file\n%s", errUsage, dtmfUsage)
	}
	format, total, presses, err := detectFile(pos[0])
	if err != nil {
		return err
	}
	var digits strings.Builder
	for _, p := range presses {
		digits.WriteByte(p.Key)
	}
	if !*asJSON {
		_, err := fmt.Fprintln(stdout, digits.String())
		return err
	}
	doc := newDetectJSON(pos[0], format, total, presses)
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// newDetectJSON builds the --json document: times from the 8 kHz indexes the detector reports,
// sample indexes converted to the file's own rate.
func newDetectJSON(name string, format *wav.Reader, total int64, presses []dtmf.Press) detectJSON {
	doc := detectJSON{
		File:       name,
		SampleRate: format.Rate,
		Encoding:   format.Encoding.String(),
		Duration:   seconds(total),
		Presses:    make([]pressJSON, 0, len(presses)),
	}
	stored := func(i int64) int64 { return i * int64(format.Rate) / dtmf.SampleRate }
	for _, p := range presses {
		doc.Digits += string(p.Key)
		doc.Presses = append(doc.Presses, pressJSON{
			Key:         string(p.Key),
			Start:       seconds(p.Start),
			End:         seconds(p.End),
			StartSample: stored(p.Start),
			EndSample:   stored(p.End),
			Level:       math.Round(p.Level*10) / 10,
		})
	}
	return doc
}

// seconds converts an 8 kHz sample index to seconds, rounded to 0.1 ms.
func seconds(i int64) float64 { return math.Round(float64(i)*1e4/dtmf.SampleRate) / 1e4 }

// detectFile streams a WAV file through the detector (without holding it in memory) and returns
// its format, its length in 8 kHz samples and the presses found.
func detectFile(name string) (*wav.Reader, int64, []dtmf.Press, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, nil, err
	}
	defer f.Close()
	r, err := wav.NewReader(f)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("%s: %w", name, err)
	}
	var presses []dtmf.Press
	d := dtmf.NewDetector()
	collect := func(e dtmf.Event) {
		if e.Kind == dtmf.KeyUp {
			presses = append(presses, e.Press)
		}
	}
	buf := make([]int16, 4000)
	var total int64
	for {
		n, err := r.Read(buf)
		d.Process(buf[:n], collect)
		total += int64(n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, 0, nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	d.Flush(collect)
	return r, total, presses, nil
}

// readWAV reads a whole WAV file (up to wav.MaxSize), for commands that rewrite it.
func readWAV(name string) (*wav.Audio, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	a, err := wav.Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return a, nil
}

func dtmfGenerate(args []string, stderr io.Writer) error {
	fs := newFlagSet("dtmf generate", stderr)
	def := dtmf.DefaultGenOptions()
	out := fs.String("o", "", "output WAV `file` (required)")
	on := fs.Duration("on", def.On, "how long each key sounds")
	off := fs.Duration("off", def.Off, "silence after each key")
	level := fs.Float64("level", def.Level, "level of each tone in dBm0")
	twist := fs.Float64("twist", 0, "high tone minus low tone, in dB")
	offset := fs.String("offset", "0", "frequency offset of both tones: a fraction (0.015) or a percentage (1.5%)")
	codec := fs.String("codec", "pcm16", "sample encoding: pcm16, pcmu or pcma")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *out == "" {
		return fmt.Errorf("%w: want DIGITS and -o FILE.wav\n%s", errUsage, dtmfUsage)
	}
	enc, err := wav.ParseEncoding(*codec)
	if err != nil {
		return fmt.Errorf("%w: --codec: %v", errUsage, err)
	}
	frac, err := parseOffset(*offset)
	if err != nil {
		return fmt.Errorf("%w: --offset: %v", errUsage, err)
	}
	if *on <= 0 || *off < 0 || *on > time.Minute || *off > time.Minute {
		return fmt.Errorf("%w: --on must be between 0 and 1m and --off between 0 and 1m", errUsage)
	}
	samples, err := dtmf.Generate(pos[0], dtmf.GenOptions{On: *on, Off: *off, Level: *level, Twist: *twist, FreqOffset: frac})
	if err != nil {
		return fmt.Errorf("%w: DIGITS: %v", errUsage, err)
	}
	var buf bytes.Buffer
	if err := wav.Write(&buf, enc, samples); err != nil {
		return err
	}
	return writeFileAtomic(*out, buf.Bytes())
}

// parseOffset parses "0.015" or "1.5%" as a fraction.
func parseOffset(s string) (float64, error) {
	pct := strings.HasSuffix(s, "%")
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil {
		return 0, errors.New("not a number")
	}
	if pct {
		v /= 100
	}
	if v <= -0.5 || v >= 0.5 {
		return 0, errors.New("out of range (want between -50% and 50%)")
	}
	return v, nil
}

// writeFileAtomic writes b to a temporary file next to name and renames it over name, so that a
// failed write never leaves a half-written file (or destroys the input when both are one file).
func writeFileAtomic(name string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), ".hushpay-*.wav")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, name); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseArgs parses flags wherever they appear among the positional arguments ("detect FILE
// --json" as well as "detect --json FILE"); everything after "--" is positional.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, fmt.Errorf("%w: help requested", errUsage)
			}
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
