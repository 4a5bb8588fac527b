// Package auth holds Discern's access-control building blocks: password
// hashing and policy, sign-in throttling, server-side sessions, the TOTP
// second factor with recovery codes, API tokens, and the one policy function
// (Decide) that every request goes through.
//
// The package does no I/O of its own. Where state must be kept (failure
// records, sessions, second-factor secrets, API tokens) it defines a small
// interface that the store implements, so that several server replicas share
// the state. Time and randomness are always passed in.
//
// # Signing in
//
// The pieces fit together like this (the HTTP layer does the steps):
//
//  1. FailureStore.UpdateFailures(AccountKey(name), AddressKey(ip)) with
//     Throttle.Begin; if the decision is not allowed, return its Err.
//  2. Find the user by name. If there is none (or it is disabled), call
//     Hasher.VerifyNoUser and fail with the same message as a wrong
//     password. Otherwise Hasher.Verify.
//  3. On success, UpdateFailures again with Throttle.Succeed; if
//     Hasher.NeedsRehash, store a new Hash of the password just given.
//  4. SessionConfig.NewSession (or Rotate, replacing any session the
//     browser had) with MFAVerified false if the user has a second factor
//     or MFARequired(role); set SessionCookie.
//  5. A half-signed-in session may only do what Decide allows before the
//     second factor (sign out; set up a first factor). The code goes
//     through Throttle.Begin with MFAKey(user) and the address, then
//     VerifyTOTP with MFAStore.FindTOTP's last step, then
//     MFAStore.UseTOTPStep (false means a replay on another replica), then
//     Rotate with MFAVerified true and SessionStore.ReplaceSession.
//     A recovery code instead goes through ParseRecoveryCode and
//     MFAStore.UseRecoveryCode.
//
// Every request then builds a Principal from the session (or from an API
// token via AuthenticateAPIToken) and asks Decide about its Action and
// Resource.
package auth
