//go:build ignore

// gen_blocklist writes blocklist.txt, the embedded list of common
// passwords. The list is composed here, deterministically, from patterns
// that password-cracking dictionaries and published "most common password"
// rankings show again and again: popular words and names, keyboard walks,
// digit runs, and those bases with the decorations people add to satisfy
// composition rules (a capital is irrelevant: matching ignores case). It is
// NOT a breach corpus; use a BreachChecker for that.
//
// Run with: go generate ./validate
package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
)

var words = strings.Fields(`
password passwd passw0rd p@ssword p@ssw0rd pass secret letmein welcome
admin administrator root toor guest user login access default changeme
test testing demo master hello iloveyou loveyou trustno1 whatever
qwerty azerty qwertz dragon monkey shadow sunshine princess football
baseball basketball soccer hockey superman batman spiderman starwars
pokemon freedom flower summer winter spring autumn michael jennifer
jordan hunter ranger buster killer george charlie thomas robert matthew
andrew joshua daniel ashley jessica amanda michelle nicole hannah jasmine
maggie tigger ginger pepper cookie cheese chocolate banana orange apple
samsung google facebook linkedin twitter microsoft windows computer
internet mustang ferrari porsche mercedes corvette harley yankees
cowboys liverpool chelsea arsenal barcelona madrid juventus lakers
mypassword yourpassword passphrase company business office welcome1
lovely angel angels baby babygirl sweety sweetheart honey darling
family friends forever blessed jesus christ heaven god
money dollar bitcoin crypto wallet secure security private server
database mysql oracle system network wifi router manager support
service account banking finance london paris berlin newyork chicago
america canada england germany france italia espana mexico brasil
snoopy pikachu naruto sasuke goku matrix zelda mario minecraft fortnite
purple yellow silver golden diamond black white red blue green
tiger lion eagle falcon wolf bear shark dolphin horse dragonfly
iloveu loveme kissme fuckyou fuckoff asshole bitch 696969 mylove
starwars1 letmein1 welcome123 abc abcd abcdef abcdefg abcdefgh
qwertyuiop asdfghjkl zxcvbnm asdfgh zxcvbn qazwsx 1qaz2wsx 1q2w3e4r
1q2w3e4r5t qwer1234 qwe123 asd123 zaq12wsx !qaz2wsx 1qazxsw2 q1w2e3r4
qweasd qweasdzxc 1qaz@wsx poiuytrewq lkjhgfdsa mnbvcxz
correcthorsebatterystaple correct-horse-battery-staple
`)

var suffixes = strings.Fields(`1 12 123 1234 12345 123456 1234567 12345678 123456789 1! ! !! !!! @
01 007 69 99 100 111 2000 2001 2010 2015 2016 2017 2018 2019 2020 2021
2022 2023 2024 2025 2026 2027 #1 $ ? . 321 11 22 1990 1985 1980`)

var prefixes = strings.Fields(`my the i1 1 123 @ !`)

func main() {
	seen := map[string]bool{}
	add := func(s string) {
		s = strings.ToLower(s)
		if s != "" {
			seen[s] = true
		}
	}
	for _, w := range words {
		add(w)
		add(w + w)
		add(w + w + w)
		add(w + "password")
		add("password" + w)
		for _, s := range suffixes {
			add(w + s)
		}
		for _, p := range prefixes {
			add(p + w)
		}
	}
	// Digit runs and repeats.
	const digits = "012345678901234567890"
	for n := 4; n <= 20; n++ {
		add(digits[1 : 1+n])
		add(strings.Repeat("1234567890", 3)[:n])
		add(reverse(digits[1 : 1+n]))
		for d := '0'; d <= '9'; d++ {
			add(strings.Repeat(string(d), n))
		}
	}
	// Keyboard walks, forwards and backwards, and their repeats.
	for _, row := range []string{"qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890", "!@#$%^&*()", "abcdefghijklmnopqrstuvwxyz"} {
		for n := 4; n <= len(row); n++ {
			add(row[:n])
			add(reverse(row[:n]))
			add(row[:n] + row[:n])
			add(row[:n] + "123")
		}
	}
	// Common two-word passphrases.
	top := words[:60]
	for _, a := range top {
		for _, b := range top {
			if a != b {
				add(a + b)
			}
		}
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		if len([]rune(s)) >= 4 && !strings.ContainsAny(s, "\n\r") {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	f, err := os.Create("blocklist.txt")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	for _, s := range out {
		fmt.Fprintln(f, s)
	}
	fmt.Println(len(out), "entries")
}

func reverse(s string) string {
	r := []rune(s)
	slices.Reverse(r)
	return string(r)
}
