package auth

import "github.com/discern-org/discern/internal/discern"

// unauthorized returns an error of kind unauthorized with a message for
// users and the cause for logs.
func unauthorized(message string, cause error) error {
	return &discern.Error{Kind: discern.KindUnauthorized, Message: message, Err: cause}
}
