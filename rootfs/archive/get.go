package archive

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// getTimeout bounds one fetch.
const getTimeout = 2 * time.Minute

// Get reads the URL u (http, https or file), at most limit bytes. Its
// error names the address and says the archive could not be reached.
func Get(ctx context.Context, u string, limit int64) ([]byte, error) {
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
		ctx, cancel := context.WithTimeout(ctx, getTimeout)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %w", u, err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, fmt.Errorf("cannot reach the archive: %w", err)
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
	data, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("fetch %s: larger than %d bytes", u, limit)
	}
	return data, nil
}

// readBounded reads the file at path, at most limit bytes.
func readBounded(path string, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("read %s: larger than %d bytes", path, limit)
	}
	return data, nil
}

// maxKeyring bounds a keyring (Debian's whole archive keyring is 60 KB).
const maxKeyring = 4 << 20

// ReadKeyring reads an OpenPGP keyring file (DIB_APT_KEYRING), binary or
// ASCII-armoured, checking that it is one.
func ReadKeyring(path string) ([]byte, error) {
	data, err := readBounded(path, maxKeyring)
	if err != nil {
		return nil, fmt.Errorf("DIB_APT_KEYRING: %w", err)
	}
	if _, err := Dearmor(data); err != nil {
		return nil, fmt.Errorf("DIB_APT_KEYRING %s: %w", path, err)
	}
	return data, nil
}

// Armored reports whether a keyring is ASCII-armoured.
func Armored(data []byte) bool {
	return bytes.HasPrefix(bytes.TrimSpace(data), []byte("-----BEGIN PGP PUBLIC KEY BLOCK-----"))
}

// Dearmor returns a keyring in OpenPGP's binary form: as it is when it is
// binary (its first packet a public key), decoded when it is
// ASCII-armoured.
func Dearmor(data []byte) ([]byte, error) {
	if !Armored(data) {
		// A binary keyring starts with a public-key packet: tag 6, in the
		// old (0x99) or new (0xc6) packet format.
		if len(data) == 0 || (data[0] != 0x98 && data[0] != 0x99 && data[0] != 0x9a && data[0] != 0xc6) {
			return nil, errors.New("not an OpenPGP keyring (binary, or armoured as gpg --export --armor writes it)")
		}
		return data, nil
	}
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	var b64 strings.Builder
	inBody, inHeaders := false, false
	for _, l := range lines {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "-----BEGIN PGP PUBLIC KEY BLOCK-----"):
			inHeaders = true
		case strings.HasPrefix(l, "-----END PGP PUBLIC KEY BLOCK-----"):
			inBody = false
		case inHeaders && l == "":
			inHeaders, inBody = false, true
		case inHeaders && !strings.Contains(l, ":"):
			// no armour headers: the body starts here
			inHeaders, inBody = false, true
			b64.WriteString(l)
		case inBody && strings.HasPrefix(l, "="):
			inBody = false // the CRC line
		case inBody:
			b64.WriteString(l)
		}
	}
	bin, err := base64.StdEncoding.DecodeString(b64.String())
	if err != nil || len(bin) == 0 {
		return nil, errors.New("an armoured keyring whose body does not decode")
	}
	return bin, nil
}
