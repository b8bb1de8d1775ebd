//go:build ignore

// gen_blocklist writes blocklist.txt, the embedded list of common
// passwords. The list is composed here, deterministically, from patterns
// that password-cracking dictionaries and published "most common password"
// rankings show again and again: popular words and first names, keyboard
// walks along rows and columns, letters interleaved with digits, keypad
// walks, digit runs, and those bases with the decorations people add to
// satisfy composition rules (a capital is irrelevant: matching ignores
// case). It is NOT a breach corpus; use a BreachChecker for that.
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

// names are first names that rank high in published "most common
// password" lists: popular given names of the English-speaking world,
// typed here by hand. moreWords are further everyday words seen in those
// rankings. Unlike words they get no digit or symbol variants: the checker
// strips digits and symbols from both ends before looking a password up,
// so "Samantha1990!" already matches "samantha", and the variants would
// only grow the embedded list.
var names = strings.Fields(`
james john robert william david richard joseph charles christopher
anthony mark donald steven paul kenneth kevin brian timothy ronald edward
jason jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin
scott brandon benjamin samuel gregory alexander frank patrick raymond
jack dennis jerry tyler aaron adam nathan henry douglas zachary peter kyle
ethan walter noah jeremy christian keith roger terry harold sean austin
carl arthur lawrence dylan jesse bryan billy bruce gabriel logan albert
alan juan wayne elijah randy vincent ralph eugene russell bobby mason
philip louis oliver harry jake connor liam lucas jackson aiden caleb
isaac luke owen hunter dakota dustin travis derek victor marcus martin
mary patricia linda elizabeth barbara susan sarah karen lisa nancy betty
margaret sandra kimberly emily donna carol dorothy melissa deborah
stephanie rebecca sharon laura cynthia kathleen amy angela shirley anna
brenda pamela emma helen samantha katherine christine debra rachel
carolyn janet catherine maria heather diane ruth julie olivia joyce
virginia victoria kelly lauren christina joan evelyn judith megan andrea
cheryl jacqueline martha gloria teresa sara madison frances kathryn
janice jean abigail alice julia judy sophia grace denise amber doris
marilyn danielle beverly isabella theresa diana natalie brittany
charlotte marie kayla alexis lori taylor chloe sophie bailey brooke
courtney crystal erica tiffany vanessa veronica monica jenny jessie
natasha tanya alexandra alyssa destiny morgan savannah sierra
`)

var moreWords = strings.Fields(`
butterfly thunder merlin midnight rainbow phoenix mickey sparky iceman
slayer cowboy booboo snickers blink182 nirvana metallica ironman hulk
warrior ninja samurai knight wizard legend player gamer hacker
beautiful pretty sexy hottie lover angel1 princess1 sunflower
bubbles butter peanut pumpkin muffin cupcake kitten puppy doggie
buddy lucky daisy molly bella max rocky charlie1 jordan23
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
		add("ilove" + w)
		for _, s := range suffixes {
			add(w + s)
		}
		for _, p := range prefixes {
			add(p + w)
		}
	}
	for _, w := range append(names, moreWords...) {
		add(w)
		add("my" + w)
		add("ilove" + w)
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
	// Keyboard column walks (US layout), with and without the digit on top:
	// downwards, upwards, alternating (1qaz2wsx, zaq1xsw2, 1qazxsw2,
	// qazwsxedc), digits shifted (!qaz@wsx), and a column followed by its
	// shifted self (1qaz!qaz). Two columns or more, starting anywhere.
	cols := []string{"1qaz", "2wsx", "3edc", "4rfv", "5tgb", "6yhn", "7ujm", "8ik,", "9ol.", "0p;/"}
	shifted := strings.NewReplacer("1", "!", "2", "@", "3", "#", "4", "$", "5", "%", "6", "^", "7", "&", "8", "*", "9", "(", "0", ")")
	for _, c := range cols {
		add(c + shifted.Replace(c))
		add(shifted.Replace(c) + c)
	}
	for i := range cols {
		for j := i + 2; j <= len(cols); j++ {
			var walks [8]strings.Builder // down, up, zigzag, zagzig; then without digits
			for k, c := range cols[i:j] {
				down, up := c, reverse(c)
				zig, zag := down, up
				if k%2 == 1 {
					zig, zag = up, down
				}
				for n, w := range [...]string{down, up, zig, zag} {
					walks[n].WriteString(w)
					walks[n+4].WriteString(strings.TrimLeft(strings.TrimRight(w, "0123456789"), "0123456789"))
				}
			}
			for n := range walks {
				add(walks[n].String())
				if n < 4 {
					add(shifted.Replace(walks[n].String()))
				}
			}
		}
	}
	// Letters interleaved with digits: q1w2e3r4, 1q2w3e4r, a1b2c3d4,
	// 1a2b3c4d; every length from 6.
	for _, letters := range []string{"qwertyuiop", "asdfghjkl", "zxcvbnm", "abcdefghij"} {
		var ld, dl strings.Builder
		for k := range len(letters) {
			d := "1234567890"[k]
			ld.WriteByte(letters[k])
			ld.WriteByte(d)
			dl.WriteByte(d)
			dl.WriteByte(letters[k])
		}
		for n := 6; n <= ld.Len(); n++ {
			add(ld.String()[:n])
			add(dl.String()[:n])
		}
	}
	// Keypad walks, on a phone pad (123 on top) and a numeric keypad (789
	// on top) alike: its rows, or its columns, strung together in any order
	// and direction (147258369, 741852963, 789456123, 123654789), with a 0
	// after a full pad; the two diagonals (159357, 159753); the ring around
	// the 5 from any key, either way (12369874, 987412365); the centre
	// column with the 0 (2580).
	for _, lines := range [][]string{{"123", "456", "789"}, {"147", "258", "369"}, {"159", "357"}} {
		for _, a := range lines {
			for _, b := range lines {
				if a == b {
					continue
				}
				for _, ab := range [...]string{a + b, a + reverse(b), reverse(a) + b, reverse(a) + reverse(b)} {
					add(ab)
					for _, c := range lines {
						if c == a || c == b {
							continue
						}
						for _, abc := range [...]string{ab + c, ab + reverse(c)} {
							add(abc)
							add(abc + "0")
						}
					}
				}
			}
		}
	}
	for _, ring := range []string{"12369874", "14789632"} {
		for k := range len(ring) {
			r := ring[k:] + ring[:k]
			add(r)
			add(r + r[:1])
		}
	}
	add("2580")
	add("0852")
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
