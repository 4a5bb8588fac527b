package discern

// Store is the whole data layer: every store interface in one. The sqldb
// package implements it twice over, on a database (each write in its own
// transaction) and on a transaction (writes that commit together).
type Store interface {
	OrganizationStore
	TeamStore
	UserStore
	PersonStore
	EncounterStore
	NoteStore
	TaskStore
	ScreeningStore
	SessionStore
	APITokenStore
	ThrottleStore
	IdempotencyStore
	AuditStore
	ConsentStore
	ReferralStore
	// Pathway tracking, contact safety and the notifications outbox.
	PlanStore
	ContactSafetyStore
	NotificationStore
}
