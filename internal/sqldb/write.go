package sqldb

import (
	"context"
	"time"

	"github.com/discern-org/discern/internal/discern"
)

// The DB's write methods: each runs the Tx method of the same name in a
// transaction of its own. The documentation is on the Tx methods and the
// discern store interfaces.

// Every store interface is implemented by both *DB and *Tx.
var (
	_ discern.Store    = (*DB)(nil)
	_ discern.Store    = (*Tx)(nil)
	_ discern.KeyVault = (*DB)(nil)
)

func withTx[T any](ctx context.Context, db *DB, fn func(*Tx) (T, error)) (T, error) {
	var v T
	err := db.WithTx(ctx, func(tx *Tx) error {
		var err error
		v, err = fn(tx)
		return err
	})
	return v, err
}

// CreateOrganization stores o in a transaction of its own.
func (db *DB) CreateOrganization(ctx context.Context, o *discern.Organization) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.CreateOrganization(ctx, o) })
}

// UpdateOrganization changes an organization in a transaction of its own.
func (db *DB) UpdateOrganization(ctx context.Context, id string, upd discern.OrganizationUpdate) (*discern.Organization, error) {
	return withTx(ctx, db, func(tx *Tx) (*discern.Organization, error) { return tx.UpdateOrganization(ctx, id, upd) })
}

// CreateTeam stores t in a transaction of its own.
func (db *DB) CreateTeam(ctx context.Context, t *discern.Team) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.CreateTeam(ctx, t) })
}

// UpdateTeam changes a team in a transaction of its own.
func (db *DB) UpdateTeam(ctx context.Context, orgID, id string, upd discern.TeamUpdate) (*discern.Team, error) {
	return withTx(ctx, db, func(tx *Tx) (*discern.Team, error) { return tx.UpdateTeam(ctx, orgID, id, upd) })
}

// CreateUser stores u in a transaction of its own.
func (db *DB) CreateUser(ctx context.Context, u *discern.User) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.CreateUser(ctx, u) })
}

// UpdateUser changes a user in a transaction of its own.
func (db *DB) UpdateUser(ctx context.Context, orgID, id string, upd discern.UserUpdate) (*discern.User, error) {
	return withTx(ctx, db, func(tx *Tx) (*discern.User, error) { return tx.UpdateUser(ctx, orgID, id, upd) })
}

// AdvanceMFAStep records a used TOTP step in a transaction of its own.
func (db *DB) AdvanceMFAStep(ctx context.Context, orgID, id string, step int64) (bool, error) {
	return withTx(ctx, db, func(tx *Tx) (bool, error) { return tx.AdvanceMFAStep(ctx, orgID, id, step) })
}

// CreatePerson stores p in a transaction of its own.
func (db *DB) CreatePerson(ctx context.Context, p *discern.Person) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.CreatePerson(ctx, p) })
}

// UpdatePerson changes a person in a transaction of its own.
func (db *DB) UpdatePerson(ctx context.Context, orgID, id string, upd discern.PersonUpdate) (*discern.Person, error) {
	return withTx(ctx, db, func(tx *Tx) (*discern.Person, error) { return tx.UpdatePerson(ctx, orgID, id, upd) })
}

// ErasePerson erases a person in a transaction of its own.
func (db *DB) ErasePerson(ctx context.Context, orgID, id string) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.ErasePerson(ctx, orgID, id) })
}

// CreateEncounter stores e in a transaction of its own.
func (db *DB) CreateEncounter(ctx context.Context, e *discern.Encounter) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.CreateEncounter(ctx, e) })
}

// UpdateEncounter changes an encounter in a transaction of its own.
func (db *DB) UpdateEncounter(ctx context.Context, orgID, id string, upd discern.EncounterUpdate) (*discern.Encounter, error) {
	return withTx(ctx, db, func(tx *Tx) (*discern.Encounter, error) { return tx.UpdateEncounter(ctx, orgID, id, upd) })
}

// CreateNote stores n in a transaction of its own.
func (db *DB) CreateNote(ctx context.Context, n *discern.Note) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.CreateNote(ctx, n) })
}

// UpdateNote changes a note in a transaction of its own.
func (db *DB) UpdateNote(ctx context.Context, orgID, id string, upd discern.NoteUpdate) (*discern.Note, error) {
	return withTx(ctx, db, func(tx *Tx) (*discern.Note, error) { return tx.UpdateNote(ctx, orgID, id, upd) })
}

// DeleteNote deletes a note in a transaction of its own.
func (db *DB) DeleteNote(ctx context.Context, orgID, id string) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.DeleteNote(ctx, orgID, id) })
}

// CreateTask stores t in a transaction of its own.
func (db *DB) CreateTask(ctx context.Context, t *discern.Task) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.CreateTask(ctx, t) })
}

// UpdateTask changes a task in a transaction of its own.
func (db *DB) UpdateTask(ctx context.Context, orgID, id string, upd discern.TaskUpdate) (*discern.Task, error) {
	return withTx(ctx, db, func(tx *Tx) (*discern.Task, error) { return tx.UpdateTask(ctx, orgID, id, upd) })
}

// DeleteTask deletes a task in a transaction of its own.
func (db *DB) DeleteTask(ctx context.Context, orgID, id string) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.DeleteTask(ctx, orgID, id) })
}

// CreateScreening stores s in a transaction of its own.
func (db *DB) CreateScreening(ctx context.Context, s *discern.Screening) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.CreateScreening(ctx, s) })
}

// UpdateScreening changes a draft screening in a transaction of its own.
func (db *DB) UpdateScreening(ctx context.Context, orgID, id string, upd discern.ScreeningUpdate) (*discern.Screening, error) {
	return withTx(ctx, db, func(tx *Tx) (*discern.Screening, error) { return tx.UpdateScreening(ctx, orgID, id, upd) })
}

// CreateSession stores s in a transaction of its own.
func (db *DB) CreateSession(ctx context.Context, s *discern.Session) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.CreateSession(ctx, s) })
}

// TouchSession records session activity in a transaction of its own.
func (db *DB) TouchSession(ctx context.Context, tokenHash []byte, mfaVerified bool) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.TouchSession(ctx, tokenHash, mfaVerified) })
}

// DeleteSession signs one session out in a transaction of its own.
func (db *DB) DeleteSession(ctx context.Context, tokenHash []byte) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.DeleteSession(ctx, tokenHash) })
}

// DeleteUserSessions signs a user out everywhere in a transaction of its own.
func (db *DB) DeleteUserSessions(ctx context.Context, orgID, userID string) (int, error) {
	return withTx(ctx, db, func(tx *Tx) (int, error) { return tx.DeleteUserSessions(ctx, orgID, userID) })
}

// DeleteStaleSessions removes expired and idle sessions in a transaction of
// its own.
func (db *DB) DeleteStaleSessions(ctx context.Context, expiredBy, idleSince time.Time) (int, error) {
	return withTx(ctx, db, func(tx *Tx) (int, error) { return tx.DeleteStaleSessions(ctx, expiredBy, idleSince) })
}

// CreateAPIToken stores t in a transaction of its own.
func (db *DB) CreateAPIToken(ctx context.Context, t *discern.APIToken) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.CreateAPIToken(ctx, t) })
}

// TouchAPIToken records a token's use in a transaction of its own.
func (db *DB) TouchAPIToken(ctx context.Context, id string) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.TouchAPIToken(ctx, id) })
}

// RevokeAPIToken revokes a token in a transaction of its own.
func (db *DB) RevokeAPIToken(ctx context.Context, orgID, id string) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.RevokeAPIToken(ctx, orgID, id) })
}

// UpdateThrottle is a locked read-modify-write of a throttle record in a
// transaction of its own.
func (db *DB) UpdateThrottle(ctx context.Context, key string, fn func(*discern.ThrottleRecord) (*discern.ThrottleRecord, error)) (*discern.ThrottleRecord, error) {
	return withTx(ctx, db, func(tx *Tx) (*discern.ThrottleRecord, error) { return tx.UpdateThrottle(ctx, key, fn) })
}

// DeleteThrottles removes old throttle records in a transaction of its own.
func (db *DB) DeleteThrottles(ctx context.Context, before time.Time) (int, error) {
	return withTx(ctx, db, func(tx *Tx) (int, error) { return tx.DeleteThrottles(ctx, before) })
}

// CreateIdempotencyKey reserves a key in a transaction of its own.
func (db *DB) CreateIdempotencyKey(ctx context.Context, k *discern.IdempotencyKey) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.CreateIdempotencyKey(ctx, k) })
}

// CompleteIdempotencyKey stores a response in a transaction of its own;
// prefer the Tx method, in the transaction of the create it answers.
func (db *DB) CompleteIdempotencyKey(ctx context.Context, orgID, userID, key string, status int, body []byte) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.CompleteIdempotencyKey(ctx, orgID, userID, key, status, body) })
}

// DeleteIdempotencyKey releases a reservation in a transaction of its own.
func (db *DB) DeleteIdempotencyKey(ctx context.Context, orgID, userID, key string) error {
	return db.WithTx(ctx, func(tx *Tx) error { return tx.DeleteIdempotencyKey(ctx, orgID, userID, key) })
}

// DeleteExpiredIdempotencyKeys removes expired keys in a transaction of its
// own.
func (db *DB) DeleteExpiredIdempotencyKeys(ctx context.Context, now time.Time) (int, error) {
	return withTx(ctx, db, func(tx *Tx) (int, error) { return tx.DeleteExpiredIdempotencyKeys(ctx, now) })
}
