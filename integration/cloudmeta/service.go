package cloudmeta

import (
	"net/http"
	"strings"
)

// Handler serves the instance's metadata as Nova's metadata service does:
// the OpenStack tree (/openstack/latest/...) and the EC2-style one
// (/latest/meta-data/...), logging each request with logf (nil: none).
func Handler(i Instance, logf func(format string, args ...any)) http.Handler {
	files, ec2 := i.openStackFiles(), i.ec2Files()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status := serve(w, r, files, ec2)
		if logf != nil {
			logf("metadata: %s %s %d", r.Method, r.URL.Path, status)
		}
	})
}

func serve(w http.ResponseWriter, r *http.Request, files, ec2 map[string][]byte) int {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "GET only", http.StatusMethodNotAllowed)
		return http.StatusMethodNotAllowed
	}
	if data, ok := ec2[strings.TrimPrefix(r.URL.Path, "/latest/")]; ok && strings.HasPrefix(r.URL.Path, "/latest/") {
		_, _ = w.Write(data)
		return http.StatusOK
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
