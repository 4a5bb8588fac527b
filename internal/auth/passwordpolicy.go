package auth

import (
	_ "embed"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/discern-org/discern/internal/discern"
)

// Password length rules of NIST SP 800-63B-4 §3.1.1.2, counted in Unicode
// code points after NFKC normalization.
const (
	// MinPasswordLength applies when the password is the only factor.
	MinPasswordLength = 15
	// MinPasswordLengthWithSecondFactor applies when the account must also
	// present a second factor (see MFARequired).
	MinPasswordLengthWithSecondFactor = 8
	// MaxPasswordLength is well above NIST's "at least 64" and bounds the
	// work of hashing.
	MaxPasswordLength = 256
)

// Reasons a chosen password is refused; CheckPassword wraps them in a
// discern.Error of kind invalid whose message is kind and actionable.
var (
	ErrPasswordTooShort    = errors.New("password too short")
	ErrPasswordTooLong     = errors.New("password too long")
	ErrPasswordUnreadable  = errors.New("password is not valid UTF-8")
	ErrPasswordCommon      = errors.New("password is common or easy to guess")
	ErrPasswordHasUsername = errors.New("password contains the username")
)

// MinPasswordLengthFor returns the minimum length for an account; pass
// whether a second factor is required for it (not merely enrolled, because
// an optional factor can be removed later).
func MinPasswordLengthFor(secondFactorRequired bool) int {
	if secondFactorRequired {
		return MinPasswordLengthWithSecondFactor
	}
	return MinPasswordLength
}

// CheckPassword applies Discern's password policy to a password a user is
// choosing. Following NIST SP 800-63B there are no composition rules (no
// "one digit, one symbol") and no forced periodic change: only a minimum
// length, a generous maximum, and a refusal of passwords that are common,
// easy to guess, or contain the username. Every character, including spaces
// and emoji, is allowed.
func CheckPassword(password, username string, secondFactorRequired bool) error {
	if !utf8.ValidString(password) {
		return passwordError(ErrPasswordUnreadable, "The password contains characters that could not be read. Please type it again.")
	}
	if len(password) > MaxPasswordBytes {
		return tooLongError()
	}
	folded := strings.ToLower(normalizePassword(password))
	n := utf8.RuneCountInString(folded)
	if least := MinPasswordLengthFor(secondFactorRequired); n < least {
		return passwordError(ErrPasswordTooShort, "Please use at least %d characters. A few unrelated words make a long password that is easy to remember.", least)
	}
	if n > MaxPasswordLength {
		return tooLongError()
	}
	if containsUsername(folded, username) {
		return passwordError(ErrPasswordHasUsername, "Please choose a password that does not contain your username.")
	}
	if easyToGuess([]rune(folded)) {
		return passwordError(ErrPasswordCommon, "This password is too common or too easy to guess. Please choose another; a few unrelated words work well.")
	}
	return nil
}

func passwordError(cause error, format string, args ...any) error {
	e := discern.Invalid("password", format, args...)
	e.Err = cause
	return e
}

func tooLongError() error {
	return passwordError(ErrPasswordTooLong, "Please use at most %d characters.", MaxPasswordLength)
}

// containsUsername reports whether the folded password contains the
// username, or its part before "@" when it is an e-mail address, compared
// both as typed and with punctuation removed ("anna.k" in "annak-...").
// Names shorter than three characters are too likely to occur by chance.
func containsUsername(folded, username string) bool {
	u := strings.ToLower(normalizePassword(strings.TrimSpace(username)))
	names := []string{u}
	if local, _, ok := strings.Cut(u, "@"); ok {
		names = append(names, local)
	}
	pw := alnum(folded)
	for _, name := range names {
		if utf8.RuneCountInString(name) >= 3 && strings.Contains(folded, name) {
			return true
		}
		if a := alnum(name); utf8.RuneCountInString(a) >= 3 && strings.Contains(pw, a) {
			return true
		}
	}
	return false
}

func alnum(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}

//go:embed blocklist.txt
var blocklistText string

// blocklist holds the words of blocklist.txt.
var blocklist = func() []string {
	var words []string
	for line := range strings.Lines(blocklistText) {
		w := strings.TrimSpace(line)
		if w == "" || strings.HasPrefix(w, "#") {
			continue
		}
		words = append(words, w)
	}
	return words
}()

// leetAlternatives lists the letters a character commonly stands for in
// passwords such as "p@ssw0rd".
var leetAlternatives = map[rune]string{
	'0': "o", '1': "il", '3': "e", '4': "a", '5': "s", '7': "t", '8': "b", '9': "g",
	'@': "a", '$': "s", '!': "i", '|': "l", '+': "t",
}

// letterRuns are keyboard rows and the alphabet; any three or more letters
// in a row of them (forwards or backwards) are a guessable run.
var letterRuns = func() []string {
	base := []string{"abcdefghijklmnopqrstuvwxyzabc", "qwertyuiop", "asdfghjkl", "zxcvbnm", "qwertzuiop", "azertyuiop", "qazwsxedcrfvtgbyhnujmikolp"}
	runs := make([]string, 0, 2*len(base))
	for _, b := range base {
		r := []rune(b)
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
		runs = append(runs, b, string(r))
	}
	return runs
}()

// easyToGuess reports whether a folded (NFKC, lowercase) password is made
// entirely of guessable pieces: blocklisted words (with leet swaps), keyboard
// and alphabet runs, short repeated patterns, and numbers that are short
// (at most four digits, like a year), sequential or repetitive. Spaces and
// punctuation between pieces add nothing. A single random piece anywhere,
// such as a word not on the list or a long random number, makes the
// password acceptable: the list is a floor, not an entropy estimate.
func easyToGuess(pw []rune) bool {
	hasAlnum, distinct := false, map[rune]bool{}
	for _, r := range pw {
		distinct[r] = true
		if isAlnum(r) {
			hasAlnum = true
		}
	}
	if len(distinct) <= 2 {
		return true
	}
	if !hasAlnum {
		return false
	}
	// reach[i]: pw[:i] can be split into guessable pieces and separators.
	reach := make([]bool, len(pw)+1)
	reach[0] = true
	for i := 0; i < len(pw); i++ {
		if !reach[i] {
			continue
		}
		if !isAlnum(pw[i]) {
			reach[i+1] = true // a separator, or a leet character used as one
		}
		for _, w := range blocklist {
			if j := matchWord(pw, i, w); j > 0 {
				reach[j] = true
			}
		}
		for _, j := range letterRunEnds(pw, i) {
			reach[j] = true
		}
		if j := repeatEnd(pw, i, anyRune); j > 0 {
			reach[j] = true
		}
		if j := weakNumberEnd(pw, i); j > 0 {
			reach[j] = true
		}
	}
	return reach[len(pw)]
}

func anyRune(rune) bool { return true }

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// matchWord returns the end of word in pw at i, allowing leet swaps and
// spaces, dashes, dots and underscores inside it ("pass word",
// "correct-horse-battery-staple"), or -1.
func matchWord(pw []rune, i int, word string) int {
	j := i
	for k := 0; k < len(word); k++ {
		for k > 0 && j < len(pw) && strings.ContainsRune(" -._", pw[j]) {
			j++
		}
		if j >= len(pw) {
			return -1
		}
		r, want := pw[j], rune(word[k])
		if r != want && !strings.ContainsRune(leetAlternatives[r], want) {
			return -1
		}
		j++
	}
	return j
}

// letterRunEnds returns the ends j of every keyboard or alphabet run
// pw[i:j] of at least three letters.
func letterRunEnds(pw []rune, i int) []int {
	var ends []int
	for _, run := range letterRuns {
		for s, c := range run {
			if c != pw[i] {
				continue
			}
			k := 1
			for s+k < len(run) && i+k < len(pw) && rune(run[s+k]) == pw[i+k] {
				k++
			}
			for n := 3; n <= k; n++ {
				ends = append(ends, i+n)
			}
		}
	}
	return ends
}

// repeatEnd returns the end of the longest stretch from i of at least four
// characters of class ok that repeats a unit of one to three characters
// ("aaaa", "abab", "ab!ab!"), or 0.
func repeatEnd(pw []rune, i int, ok func(rune) bool) int {
	best := 0
	for p := 1; p <= 3; p++ {
		j := i
		for j < len(pw) && ok(pw[j]) && (j < i+p || pw[j] == pw[j-p]) {
			j++
		}
		if j-i >= 4 && j-i >= 2*p && j > best {
			best = j
		}
	}
	return best
}

// weakNumberEnd returns the end of the whole run of digits starting at i if
// it is guessable: at most four digits, ascending or descending by one
// ("1234567890", "987"), or repetitive ("121212"). It returns 0 otherwise,
// and when i is inside a run, so that "4827" and "193650" cannot be taken as
// two short numbers.
func weakNumberEnd(pw []rune, i int) int {
	if !isDigit(pw[i]) || (i > 0 && isDigit(pw[i-1])) {
		return 0
	}
	j := i
	for j < len(pw) && isDigit(pw[j]) {
		j++
	}
	if j-i <= 4 {
		return j
	}
	up, down := true, true
	for k := i + 1; k < j; k++ {
		d := (pw[k] - pw[k-1] + 10) % 10
		up = up && d == 1
		down = down && d == 9
	}
	if up || down || repeatEnd(pw, i, isDigit) == j {
		return j
	}
	return 0
}
