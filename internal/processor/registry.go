package processor

import (
	"fmt"
	"slices"

	"github.com/hushpay/hushpay"
)

// Registry holds the configured connectors by name, one of them the default. cmd/hushpay builds it
// at start (one line per connector) and hands it to the payment service; it is read-only after
// NewRegistry, so it is safe for concurrent use.
type Registry struct {
	byName map[string]Processor
	def    string
}

// NewRegistry registers the processors under their Name; def names the default one. Two
// processors with one name, or a default that is not among them, is an error.
func NewRegistry(def string, processors ...Processor) (*Registry, error) {
	r := &Registry{byName: make(map[string]Processor, len(processors)), def: def}
	for _, p := range processors {
		name := p.Name()
		if _, dup := r.byName[name]; dup {
			return nil, fmt.Errorf("processor registry: %q registered twice", name)
		}
		r.byName[name] = p
	}
	if _, ok := r.byName[def]; !ok {
		return nil, fmt.Errorf("processor registry: default processor %q is not configured", def)
	}
	return r, nil
}

// Get returns the named processor, or the default one for "". An unknown name is a KindInvalid
// *hushpay.Error with code "unknown_processor" on field "processor".
func (r *Registry) Get(name string) (Processor, error) {
	if name == "" {
		name = r.def
	}
	p, ok := r.byName[name]
	if !ok {
		return nil, hushpay.FieldError("processor", "unknown_processor", "the processor is not configured")
	}
	return p, nil
}

// Default returns the name of the default processor.
func (r *Registry) Default() string { return r.def }

// Names lists the registered processors, sorted.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.byName))
	for name := range r.byName {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
