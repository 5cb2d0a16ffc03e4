// Package g711 converts between 16-bit linear PCM and ITU-T G.711 μ-law (PCMU) and A-law (PCMA).
//
// The conversions are exact: they give the same codes and values as the ITU-T G.191 reference
// implementation of G.711 for every input. The work is done by github.com/zaf/g711 (decoding by table,
// encoding by a few shifts); this package gives it the sample-at-a-time and slice-to-slice shape the
// media path needs, with no allocation.
//
// It imports only the standard library and github.com/zaf/g711: no I/O, no network.
package g711
