// Command coredns is CoreDNS with only the plugins a cluster's DNS needs (the test cluster's kube-dns, see
// test/cluster). CoreDNS selects its plugins at compile time (plugin.cfg); as a library, a main package lists them
// in dnsserver.Directives (in plugin.cfg's order, which is the order they handle a query) and imports each one.
// Leaving out the cloud and storage plugins keeps a cold build to a fraction of the full server's.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
)

func init() {
	dnsserver.Directives = []string{"ready", "health", "errors", "log", "cache", "kubernetes"}
}

func main() {
	coremain.Run()
}
