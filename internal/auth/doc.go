// Package auth holds Discern's access-control building blocks: password
// hashing and policy, sign-in throttling, server-side sessions, the TOTP
// second factor with recovery codes, API tokens, and the one policy function
// (Decide) that every request goes through.
//
// The package does no I/O of its own. Where state must be kept (failure
// records, sessions, second-factor secrets, API tokens) it defines a small
// interface that the store implements, so that several server replicas share
// the state. Time and randomness are always passed in.
package auth
