package cloudmeta

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testInstance = Instance{
	UUID: "5b0e3b4e-1c1d-4d6e-9f00-0123456789ab", Name: "probe", Hostname: "probe-node.example.org",
	Keys: []string{"ssh-ed25519 AAAAkey one"}, UserData: "#cloud-config\n", Meta: map[string]string{"role": "db"},
	NetworkData: &NetworkData{
		Links:    []Link{{ID: "tap0", Type: "phy", MAC: "52:54:00:12:34:56"}},
		Networks: []Network{{ID: "n0", Type: "ipv4", Link: "tap0", NetworkID: "net", Address: "10.0.2.15", Netmask: "255.255.255.0"}},
	},
}

func TestMetaDataCarriesTheKeysHostnameAndMetaAsNovaWritesThem(t *testing.T) {
	t.Parallel()
	var md struct {
		UUID       string            `json:"uuid"`
		Hostname   string            `json:"hostname"`
		PublicKeys map[string]string `json:"public_keys"`
		Meta       map[string]string `json:"meta"`
	}
	require.NoError(t, json.Unmarshal(testInstance.MetaDataJSON(), &md))
	assert.Equal(t, testInstance.UUID, md.UUID)
	assert.Equal(t, "probe-node.example.org", md.Hostname)
	assert.Equal(t, map[string]string{"key-0": "ssh-ed25519 AAAAkey one"}, md.PublicKeys)
	assert.Equal(t, "db", md.Meta["role"])
}

func TestNetworkDataListsAreNeverNull(t *testing.T) {
	t.Parallel()
	i := Instance{NetworkData: &NetworkData{Links: []Link{{ID: "a", Type: "phy", MAC: "52:54:00:00:00:01"}}}}
	assert.Contains(t, string(i.openStackFiles()["network_data.json"]), `"services": []`)
}

func TestTheMetadataServiceServesTheOpenStackTree(t *testing.T) {
	t.Parallel()
	var logged []string
	srv := httptest.NewServer(Handler(testInstance, func(f string, a ...any) { logged = append(logged, f) }))
	defer srv.Close()
	get := func(p string) (int, string) {
		resp, err := http.Get(srv.URL + p)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := get("/openstack")
	assert.Equal(t, 200, code)
	assert.Equal(t, "latest\n", body)
	code, body = get("/openstack/latest/")
	assert.Equal(t, 200, code)
	assert.Equal(t, "meta_data.json\nnetwork_data.json\nuser_data\nvendor_data.json\nvendor_data2.json\n", body)
	code, body = get("/openstack/latest/network_data.json")
	assert.Equal(t, 200, code)
	assert.Contains(t, body, `"ethernet_mac_address": "52:54:00:12:34:56"`)
	code, body = get("/latest/meta-data/")
	assert.Equal(t, 200, code)
	assert.Equal(t, "hostname\ninstance-id\nlocal-hostname\npublic-keys/\n", body, "the EC2-style tree")
	code, body = get("/latest/meta-data/public-keys/0/openssh-key")
	assert.Equal(t, 200, code)
	assert.Equal(t, "ssh-ed25519 AAAAkey one\n", body)
	code, _ = get("/latest/meta-data/nothing")
	assert.Equal(t, 404, code)
	assert.Len(t, logged, 6)
}
