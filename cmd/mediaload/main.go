package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/hushpay/hushpay/internal/mediaload"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "mediaload:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return errors.New("usage: mediaload run|relay [flags]")
	}
	switch args[0] {
	case "run":
		return measure(args[1:])
	case "relay":
		return relay(args[1:])
	}
	return fmt.Errorf("unknown command %q", args[0])
}

func measure(args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	calls := fs.String("calls", "150,500,800", "concurrent calls per point, comma-separated")
	impls := fs.String("impls", "hushpay,hushpay-loop,baseline", "relays to measure at each point, comma-separated")
	warmup := fs.Duration("warmup", 3*time.Second, "load before each measurement window")
	duration := fs.Duration("duration", 25*time.Second, "measurement window per point")
	ports := fs.String("ports", "20000-29999", "hushpay's RTP port range")
	jsonOut := fs.Bool("json", false, "print one JSON line per point instead of a table row")
	if err := fs.Parse(args); err != nil {
		return err
	}
	low, high, err := parseRange(*ports)
	if err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	if !*jsonOut {
		fmt.Println("| calls | relay | CPU µs/packet | relay CPU | packets | loss | p50/p99 caller→agent µs | p50/p99 agent→caller µs | generator CPU | keys sent/detected | load |")
		fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|")
	}
	for _, c := range strings.Split(*calls, ",") {
		n, err := strconv.Atoi(c)
		if err != nil || n < 1 {
			return fmt.Errorf("bad --calls %q", c)
		}
		for _, name := range strings.Split(*impls, ",") {
			impl, err := mediaload.ParseImpl(name)
			if err != nil {
				return err
			}
			res, err := mediaload.Run(mediaload.RunConfig{Impl: impl, Calls: n, Warmup: *warmup, Duration: *duration,
				PortLow: low, PortHigh: high, Start: mediaload.ChildRelay(exe)})
			if err != nil {
				return err
			}
			printResult(res, *jsonOut)
		}
	}
	return nil
}

func printResult(r mediaload.Result, asJSON bool) {
	if asJSON {
		b, _ := json.Marshal(r)
		fmt.Println(string(b))
		return
	}
	us := func(d time.Duration) string { return strconv.FormatFloat(float64(d.Nanoseconds())/1e3, 'f', 0, 64) }
	fmt.Printf("| %d | %s | %.2f | %.2f s / %.0f s | %d | %d of %d (%.4f%%) | %s / %s | %s / %s | %.2f s | %d / %d | %s |\n",
		r.Calls, r.Impl, float64(r.CPUPerPacket.Nanoseconds())/1e3, r.RelayCPU.Seconds(), r.Window.Seconds(),
		r.RelayPackets, r.Lost, r.Lost+r.Received, 100*r.LossRate, us(r.CallerP50), us(r.CallerP99),
		us(r.AgentP50), us(r.AgentP99), r.GenCPU.Seconds(), r.KeysSent, r.KeysDetected, r.LoadAvg)
}

func relay(args []string) error {
	fs := flag.NewFlagSet("relay", flag.ContinueOnError)
	implName := fs.String("impl", "hushpay", "hushpay, hushpay-loop or baseline")
	calls := fs.Int("calls", 1, "calls")
	callerPeer := fs.String("caller-peer", "", "the generator's caller-side address")
	agentPeer := fs.String("agent-peer", "", "the generator's agent-side address")
	ports := fs.String("ports", "20000-29999", "hushpay's RTP port range")
	cpuProfile := fs.String("cpuprofile", os.Getenv("MEDIALOAD_RELAY_CPUPROFILE"), "write the relay's CPU profile to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile + "." + *implName)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	impl, err := mediaload.ParseImpl(*implName)
	if err != nil {
		return err
	}
	cp, err := netip.ParseAddrPort(*callerPeer)
	if err != nil {
		return fmt.Errorf("bad --caller-peer: %w", err)
	}
	ap, err := netip.ParseAddrPort(*agentPeer)
	if err != nil {
		return fmt.Errorf("bad --agent-peer: %w", err)
	}
	low, high, err := parseRange(*ports)
	if err != nil {
		return err
	}
	return mediaload.ServeRelay(mediaload.RelayArgs{Impl: impl, Calls: *calls, CallerPeer: cp, AgentPeer: ap,
		PortLow: low, PortHigh: high}, os.Stdin, os.Stdout)
}

func parseRange(s string) (low, high int, err error) {
	lo, hi, ok := strings.Cut(s, "-")
	low, err1 := strconv.Atoi(lo)
	high, err2 := strconv.Atoi(hi)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("bad --ports %q: want LOW-HIGH", s)
	}
	return low, high, nil
}
