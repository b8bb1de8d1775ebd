package headers

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apisec-go/apisec/internal/problem"
)

// DefaultMaxReportBytes is the body size cap of a [ReportHandler] when
// [ReportConfig.MaxBodyBytes] is zero.
const DefaultMaxReportBytes = 16 << 10

// maxReportsPerBody bounds how many reports of one Reporting API batch
// are logged.
const maxReportsPerBody = 20

// maxLoggedField caps every string taken from a report into a log record.
const maxLoggedField = 256

// ReportConfig configures a [ReportHandler]. Its zero value lacks the
// required Logger; NewReportHandler copies it, so later changes have no
// effect.
type ReportConfig struct {
	_ [0]func() // forces keyed literals; ReportConfig is not comparable

	// Logger is required: each violation is logged on it as a
	// malicious_csp_violation event at level WARN.
	Logger *slog.Logger
	// MaxBodyBytes caps the request body; larger reports get 413. Zero means
	// DefaultMaxReportBytes; at most 1 MiB.
	MaxBodyBytes int64
}

// ReportHandler receives CSP violation reports, in the legacy report-uri
// format (application/csp-report) and the Reporting API format
// (application/reports+json), and logs each as a malicious_csp_violation
// event. Bodies are size-capped, fields truncated, URL query strings and
// fragments dropped (they may hold tokens), and control characters escaped.
// The zero value is not usable; call [NewReportHandler]. It is safe for
// concurrent use.
//
// Anyone can post reports, so every report is a claim, not a fact: put a
// per-IP rate limit in front of the endpoint to keep it from flooding the
// log.
type ReportHandler struct {
	logger  *slog.Logger
	maxBody int64
}

// NewReportHandler checks cfg and returns a ReportHandler.
func NewReportHandler(cfg ReportConfig) (*ReportHandler, error) {
	var errs []error
	if cfg.Logger == nil {
		errs = append(errs, &ConfigError{Field: "Logger", Reason: "required: a report endpoint that logs nothing only costs resources"})
	}
	max := cfg.MaxBodyBytes
	switch {
	case max < 0 || max > 1<<20:
		errs = append(errs, &ConfigError{Field: "MaxBodyBytes", Reason: "must be between 1 and 1048576, got " + strconv.FormatInt(max, 10)})
	case max == 0:
		max = DefaultMaxReportBytes
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &ReportHandler{logger: cfg.Logger, maxBody: max}, nil
}

var (
	problemMethod = problem.MustCompile(problem.Problem{Status: http.StatusMethodNotAllowed,
		Detail: "Reports are sent with POST."})
	problemMediaType = problem.MustCompile(problem.Problem{Status: http.StatusUnsupportedMediaType,
		Detail: "Send application/csp-report or application/reports+json."})
	problemTooLarge = problem.MustCompile(problem.Problem{Status: http.StatusRequestEntityTooLarge,
		Detail: "The report is too large."})
	problemBadReport = problem.MustCompile(problem.Problem{Status: http.StatusBadRequest,
		Detail: "The report is not valid JSON of the declared type."})
)

// legacyReport is the body of report-uri (CSP Level 2 §5.2).
type legacyReport struct {
	Report struct {
		DocumentURI        string `json:"document-uri"`
		BlockedURI         string `json:"blocked-uri"`
		EffectiveDirective string `json:"effective-directive"`
		ViolatedDirective  string `json:"violated-directive"`
		Disposition        string `json:"disposition"`
		SourceFile         string `json:"source-file"`
		LineNumber         int64  `json:"line-number"`
		Sample             string `json:"script-sample"`
	} `json:"csp-report"`
}

// apiReport is one entry of a Reporting API batch (CSP Level 3 §5.3).
type apiReport struct {
	Type string `json:"type"`
	Body struct {
		DocumentURL        string `json:"documentURL"`
		BlockedURL         string `json:"blockedURL"`
		EffectiveDirective string `json:"effectiveDirective"`
		Disposition        string `json:"disposition"`
		SourceFile         string `json:"sourceFile"`
		LineNumber         int64  `json:"lineNumber"`
		Sample             string `json:"sample"`
	} `json:"body"`
}

type violation struct {
	document, blocked, directive, disposition, source, sample string
	line                                                      int64
}

func (h *ReportHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		problemMethod.Write(w)
		return
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/csp-report" && mt != "application/reports+json" && mt != "application/json") {
		problemMediaType.Write(w)
		return
	}
	if r.ContentLength > h.maxBody {
		problemTooLarge.Write(w)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, h.maxBody+1))
	if err != nil {
		problemBadReport.Write(w)
		return
	}
	if int64(len(body)) > h.maxBody {
		problemTooLarge.Write(w)
		return
	}
	var vs []violation
	switch {
	case mt == "application/reports+json" || mt == "application/json" && len(body) > 0 && body[0] == '[':
		var batch []apiReport
		if json.Unmarshal(body, &batch) != nil {
			problemBadReport.Write(w)
			return
		}
		for _, rep := range batch {
			if rep.Type != "csp-violation" {
				continue
			}
			b := rep.Body
			vs = append(vs, violation{b.DocumentURL, b.BlockedURL, b.EffectiveDirective, b.Disposition, b.SourceFile, b.Sample, b.LineNumber})
		}
	default:
		var rep legacyReport
		if json.Unmarshal(body, &rep) != nil || rep.Report.DocumentURI == "" && rep.Report.EffectiveDirective == "" && rep.Report.ViolatedDirective == "" {
			problemBadReport.Write(w)
			return
		}
		b := rep.Report
		dir := b.EffectiveDirective
		if dir == "" {
			dir, _, _ = strings.Cut(b.ViolatedDirective, " ")
		}
		vs = append(vs, violation{b.DocumentURI, b.BlockedURI, dir, b.Disposition, b.SourceFile, b.Sample, b.LineNumber})
	}
	if len(vs) > maxReportsPerBody {
		vs = vs[:maxReportsPerBody]
	}
	for _, v := range vs {
		h.logger.LogAttrs(r.Context(), slog.LevelWarn, "malicious_csp_violation",
			slog.String("component", "headers"),
			slog.String("document_uri", cleanURL(v.document)),
			slog.String("blocked_uri", cleanURL(v.blocked)),
			slog.String("effective_directive", clean(v.directive)),
			slog.String("disposition", clean(v.disposition)),
			slog.String("source_file", cleanURL(v.source)),
			slog.Int64("line_number", v.line),
			slog.String("sample", clean(v.sample)))
	}
	w.WriteHeader(http.StatusNoContent)
}

// cleanURL drops a URL's query and fragment (they may carry tokens) and
// then cleans it like any other field.
func cleanURL(s string) string {
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	return clean(s)
}

// clean truncates s to maxLoggedField bytes on a rune boundary and
// replaces control characters (C0, DEL, C1, line and paragraph separators)
// and invalid UTF-8 with U+FFFD, so a report cannot forge log lines.
func clean(s string) string {
	if len(s) > maxLoggedField {
		cut := maxLoggedField
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r == 0x2028 || r == 0x2029 || r == utf8.RuneError {
			return '\uFFFD'
		}
		return r
	}, s)
}
