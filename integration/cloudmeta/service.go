package cloudmeta

import (
	"net/http"
	"strings"
)

// Handler serves the instance's metadata as Nova's metadata service does
// (the OpenStack flavour of it: /openstack/latest/...), logging each
// request with logf (nil: none). Anything else is 404, as the EC2-style
// paths are here.
func Handler(i Instance, logf func(format string, args ...any)) http.Handler {
	files := i.openStackFiles()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status := serve(w, r, files)
		if logf != nil {
			logf("metadata: %s %s %d", r.Method, r.URL.Path, status)
		}
	})
}

func serve(w http.ResponseWriter, r *http.Request, files map[string][]byte) int {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "GET only", http.StatusMethodNotAllowed)
		return http.StatusMethodNotAllowed
	}
	p := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case p == "/openstack":
		_, _ = w.Write([]byte(listing("latest")))
		return http.StatusOK
	case p == "/openstack/latest":
		_, _ = w.Write([]byte(listing(names(files)...)))
		return http.StatusOK
	case strings.HasPrefix(p, "/openstack/latest/"):
		if data, ok := files[strings.TrimPrefix(p, "/openstack/latest/")]; ok {
			if strings.HasSuffix(p, ".json") {
				w.Header().Set("Content-Type", "application/json")
			}
			_, _ = w.Write(data)
			return http.StatusOK
		}
	}
	http.NotFound(w, r)
	return http.StatusNotFound
}
