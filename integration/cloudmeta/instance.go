// Package cloudmeta gives a booting guest the metadata of a cloud instance
// in the three ways clouds do: an OpenStack config drive (ISO9660 labelled
// config-2), a NoCloud seed (labelled cidata) and the OpenStack metadata
// service (an HTTP handler to serve at 169.254.169.254). The content
// follows what Nova writes: openstack/latest/meta_data.json, user_data,
// network_data.json and the vendor data files.
package cloudmeta

import (
	"encoding/json"
	"fmt"
	"hash/crc32"
	"sort"
	"strings"
)

// Instance is what a cloud tells an instance about itself.
type Instance struct {
	UUID     string            // the instance id
	Name     string            // the server's name
	Hostname string            // the host name to set (may be a FQDN)
	Keys     []string          // ssh public keys, for the image's default user
	UserData string            // user-data as given (e.g. "#cloud-config ...")
	Meta     map[string]string // server properties (openstack server create --property)
	// NetworkData is network_data.json; nil leaves the guest to its
	// fallback configuration (DHCP on the first card).
	NetworkData *NetworkData
}

// NetworkData is OpenStack's network_data.json.
type NetworkData struct {
	Links    []Link    `json:"links"`
	Networks []Network `json:"networks"`
	Services []Service `json:"services"`
}

// Link is a network card, known by its MAC address.
type Link struct {
	ID   string `json:"id"`
	Type string `json:"type"` // "phy"
	MAC  string `json:"ethernet_mac_address"`
	MTU  int    `json:"mtu,omitempty"`
}

// Network is an address configuration of a link: Type is ipv4 (static),
// ipv4_dhcp, ipv6 (static), ipv6_slaac, ipv6_dhcpv6-stateless or
// ipv6_dhcpv6-stateful.
type Network struct {
	ID        string  `json:"id"`
	Type      string  `json:"type"`
	Link      string  `json:"link"`
	NetworkID string  `json:"network_id"`
	Address   string  `json:"ip_address,omitempty"`
	Netmask   string  `json:"netmask,omitempty"`
	Routes    []Route `json:"routes,omitempty"`
}

// Route is a route of a static network; 0.0.0.0/0.0.0.0 is the default.
type Route struct {
	Network string `json:"network"`
	Netmask string `json:"netmask"`
	Gateway string `json:"gateway"`
}

// Service is a service of the networks, such as a name server.
type Service struct {
	Type    string `json:"type"` // "dns"
	Address string `json:"address"`
}

// MetaDataJSON is the instance's openstack/latest/meta_data.json.
func (i Instance) MetaDataJSON() []byte {
	keys := map[string]string{}
	var keyList []map[string]string
	for n, k := range i.Keys {
		name := fmt.Sprintf("key-%d", n)
		keys[name] = k
		keyList = append(keyList, map[string]string{"name": name, "type": "ssh", "data": k})
	}
	meta := i.Meta
	if meta == nil {
		meta = map[string]string{}
	}
	data, _ := json.MarshalIndent(map[string]any{
		"uuid": i.UUID, "name": i.Name, "hostname": i.Hostname, "launch_index": 0,
		"availability_zone": "nova", "project_id": "6b2c5f4e9e3d4f0a8c1d2e3f4a5b6c7d",
		"public_keys": keys, "keys": keyList, "meta": meta, "devices": []any{},
	}, "", " ")
	return data
}

// openStackFiles are the files of openstack/latest/ for i, by name.
func (i Instance) openStackFiles() map[string][]byte {
	files := map[string][]byte{
		"meta_data.json":    i.MetaDataJSON(),
		"vendor_data.json":  []byte("{}"),
		"vendor_data2.json": []byte("{}"),
	}
	if i.UserData != "" {
		files["user_data"] = []byte(i.UserData)
	}
	if i.NetworkData != nil {
		nd := *i.NetworkData
		// Nova writes empty lists, never null: cloud-init iterates them.
		if nd.Links == nil {
			nd.Links = []Link{}
		}
		if nd.Networks == nil {
			nd.Networks = []Network{}
		}
		if nd.Services == nil {
			nd.Services = []Service{}
		}
		data, _ := json.MarshalIndent(nd, "", " ")
		files["network_data.json"] = data
	}
	return files
}

// ec2Files is the EC2-style tree Nova's metadata service serves beside the
// OpenStack one (cloud-init's OpenStack datasource reads it too), by path
// under /latest/: directories are listings.
func (i Instance) ec2Files() map[string][]byte {
	files := map[string][]byte{
		"meta-data/":               []byte(listing("hostname", "instance-id", "local-hostname", "public-keys/")),
		"meta-data/hostname":       []byte(i.Hostname),
		"meta-data/local-hostname": []byte(i.Hostname),
		"meta-data/instance-id":    []byte(fmt.Sprintf("i-%08x", crc32.ChecksumIEEE([]byte(i.UUID)))),
	}
	var keys []string
	for n, k := range i.Keys {
		keys = append(keys, fmt.Sprintf("%d=key-%d", n, n))
		files[fmt.Sprintf("meta-data/public-keys/%d/", n)] = []byte(listing("openssh-key"))
		files[fmt.Sprintf("meta-data/public-keys/%d/openssh-key", n)] = []byte(k + "\n")
	}
	files["meta-data/public-keys/"] = []byte(listing(keys...))
	if i.UserData != "" {
		files["user-data"] = []byte(i.UserData)
	}
	return files
}

// NoCloudMetaData is the NoCloud meta-data file for i (YAML; JSON is YAML).
func (i Instance) NoCloudMetaData() []byte {
	data, _ := json.MarshalIndent(map[string]any{
		"instance-id": i.UUID, "local-hostname": i.Hostname, "public-keys": i.Keys,
	}, "", " ")
	return data
}

// names returns the keys of m, sorted.
func names(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// listing is a directory listing as the metadata service gives it: one
// name a line.
func listing(entries ...string) string { return strings.Join(entries, "\n") + "\n" }
