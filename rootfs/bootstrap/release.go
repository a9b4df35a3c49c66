package bootstrap

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// A base is stamped with the Date of the mirror's release file it is made
// from: its SOURCE_DATE_EPOCH. The same mirror state gives the same epoch,
// whatever the clock says, and a newer state a newer one. It is read before
// the bootstrap starts (mmdebstrap needs it from the beginning) and checked
// after against the copy apt fetched and verified for the base.

// maxReleaseFile bounds what is read of a release file (Debian's InRelease
// is about 150 KB).
const maxReleaseFile = 16 << 20

// releaseTimeout bounds the fetch of the release file.
const releaseTimeout = 2 * time.Minute

// ReleaseEpoch fetches the release file of release from mirror (an http,
// https or file URL) and returns its Date.
func ReleaseEpoch(ctx context.Context, mirror, release string) (time.Time, error) {
	var errs []string
	for _, name := range []string{"InRelease", "Release"} {
		u := strings.TrimSuffix(mirror, "/") + "/dists/" + release + "/" + name
		data, err := fetch(ctx, u)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		t, err := ReleaseDate(data)
		if err != nil {
			return time.Time{}, fmt.Errorf("%s: %w", u, err)
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("read the release date of %s from %s: %s", release, mirror, strings.Join(errs, "; "))
}

// fetch reads the URL u, at most maxReleaseFile bytes.
func fetch(ctx context.Context, u string) ([]byte, error) {
	pu, err := url.Parse(u)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	var body io.ReadCloser
	switch pu.Scheme {
	case "file":
		fh, err := os.Open(pu.Path)
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %w", u, err)
		}
		body = fh
	case "http", "https":
		ctx, cancel := context.WithTimeout(ctx, releaseTimeout)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %w", u, err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %w", u, err)
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, fmt.Errorf("fetch %s: %s", u, resp.Status)
		}
		body = resp.Body
	default:
		return nil, fmt.Errorf("fetch %s: not an http, https or file URL", u)
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, maxReleaseFile+1))
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	if len(data) > maxReleaseFile {
		return nil, fmt.Errorf("fetch %s: larger than %d bytes", u, maxReleaseFile)
	}
	return data, nil
}

// releaseDateLayouts are the forms of Date in Debian release files
// (RFC 2822 with the zone as UTC or +0000).
var releaseDateLayouts = []string{time.RFC1123, time.RFC1123Z, "Mon, 2 Jan 2006 15:04:05 MST", "Mon, 2 Jan 2006 15:04:05 -0700"}

// ReleaseDate reads the Date field of a Release or InRelease file.
func ReleaseDate(data []byte) (time.Time, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		v, ok := strings.CutPrefix(sc.Text(), "Date:")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		for _, l := range releaseDateLayouts {
			if t, err := time.Parse(l, v); err == nil {
				return t.UTC(), nil
			}
		}
		return time.Time{}, fmt.Errorf("release file: unreadable Date %q", v)
	}
	if err := sc.Err(); err != nil {
		return time.Time{}, fmt.Errorf("release file: %w", err)
	}
	return time.Time{}, fmt.Errorf("release file: no Date field")
}
