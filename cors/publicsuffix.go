package cors

// PublicSuffixes lists the domains under which [New] refuses a subdomain
// pattern, because anyone can obtain a name there: an origin pattern such as
// "https://*.github.io" would let every GitHub Pages site in the world read
// the API's responses.
//
// It is a curated subset of the Public Suffix List
// (https://publicsuffix.org/): the multi-tenant hosting platforms most often
// seen in CORS configurations and the common country-code second-level
// registries. Patterns on a single label ("https://*.com") are refused
// regardless of this list. The list is only a safety net: for a platform it
// does not name, check https://publicsuffix.org/list/ before writing a
// pattern, and prefer exact origins.
//
// PublicSuffixes is read-only; it is a function so that no caller can edit
// the list New relies on.
func PublicSuffixes() []string { return append([]string(nil), publicSuffixes...) }

var publicSuffixes = []string{
	// Hosting and application platforms.
	"github.io", "githubusercontent.com", "gitlab.io", "bitbucket.io",
	"herokuapp.com", "herokudns.com",
	"vercel.app", "now.sh", "netlify.app", "netlify.com",
	"pages.dev", "workers.dev", "r2.dev",
	"web.app", "firebaseapp.com", "appspot.com", "run.app", "cloudfunctions.net",
	"blogspot.com", "googleusercontent.com",
	"azurewebsites.net", "azurestaticapps.net", "cloudapp.net", "azureedge.net", "blob.core.windows.net", "trafficmanager.net",
	"cloudfront.net", "amazonaws.com", "s3.amazonaws.com", "elasticbeanstalk.com", "amplifyapp.com", "awsapprunner.com",
	"fly.dev", "onrender.com", "railway.app", "up.railway.app", "deno.dev", "glitch.me", "repl.co", "replit.app", "replit.dev",
	"ngrok.io", "ngrok.app", "ngrok-free.app", "ngrok.dev", "loca.lt", "trycloudflare.com",
	"surge.sh", "neocities.org", "wordpress.com", "wixsite.com", "myshopify.com", "webflow.io", "squarespace.com",
	"codesandbox.io", "csb.app", "stackblitz.io", "webcontainer.io", "gitpod.io", "github.dev", "app.github.dev",
	"digitaloceanspaces.com", "ondigitalocean.app", "cyclic.app", "koyeb.app", "adaptable.app",
	"readthedocs.io", "translate.goog", "dyndns.org", "duckdns.org", "no-ip.org", "ddns.net",
	// Country-code second-level registries.
	"co.uk", "org.uk", "ac.uk", "gov.uk", "me.uk", "ltd.uk", "plc.uk",
	"com.au", "net.au", "org.au", "edu.au", "gov.au",
	"co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp",
	"co.nz", "org.nz", "co.za", "org.za", "co.in", "net.in", "org.in",
	"com.br", "net.br", "org.br", "com.cn", "net.cn", "org.cn", "com.mx", "org.mx",
	"com.tw", "com.hk", "com.sg", "com.my", "co.kr", "or.kr", "com.tr", "com.ar",
	"co.il", "org.il", "com.ua", "co.id", "or.id", "web.id", "com.pl", "eu.org", "us.com", "uk.com",
	// Special-use and dynamic-DNS style suffixes.
	"in-addr.arpa", "ip6.arpa", "nip.io", "sslip.io", "xip.io", "lvh.me", "localtest.me",
}

func isPublicSuffix(host string) bool {
	for _, s := range publicSuffixes {
		if host == s {
			return true
		}
	}
	return false
}
