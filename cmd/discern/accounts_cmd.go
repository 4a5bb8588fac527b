package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/discern-org/discern/internal/accounts"
	"github.com/discern-org/discern/internal/app"
	"github.com/discern-org/discern/internal/auth"
	dom "github.com/discern-org/discern/internal/discern"
)

// The account commands: the operator's way to make the first organization
// and administrator, and to help a user who is locked out. They are audited
// as the system acting, and ask no policy: whoever can run them can read the
// key file anyway.

// withAccounts opens the services for an account command.
func withAccounts(ctx context.Context, name string, fs *flag.FlagSet, shared *app.Flags, args []string, getenv func(string) string, stderr io.Writer,
	fn func(op *accounts.Operator) error) error {
	cfg, err := parseAppFlags(fs, shared, args, getenv)
	if err != nil {
		return err
	}
	svc, err := openServices(ctx, cfg, stderr, slog.New(slog.DiscardHandler))
	if err != nil {
		return appErr(name, err)
	}
	defer svc.app.Close()
	return appErr(name, fn(svc.accounts.Operator()))
}

func cmdOrg(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("org: expected add or list")
	}
	fs := newFlags("org "+args[0], stderr)
	shared := app.AddFlags(fs)
	switch args[0] {
	case "add":
		name := fs.String("name", "", "the organization's name (required)")
		country := fs.String("country", "", "ISO 3166-1 alpha-2 code of where it works, such as GB (required)")
		return withAccounts(ctx, "org add", fs, shared, args[1:], getenv, stderr, func(op *accounts.Operator) error {
			o := &dom.Organization{Name: *name, Country: strings.ToUpper(*country)}
			if err := op.CreateOrganization(ctx, "cli", o); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "Organization %s created: %s\n", o.ID, o.Name)
			return nil
		})
	case "list":
		return withAccounts(ctx, "org list", fs, shared, args[1:], getenv, stderr, func(op *accounts.Operator) error {
			tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tCOUNTRY\tNAME")
			cursor := ""
			for {
				orgs, next, err := op.FindOrganizations(ctx, dom.OrganizationFilter{Page: dom.Page{Limit: dom.MaxLimit, Cursor: cursor}})
				if err != nil {
					return err
				}
				for _, o := range orgs {
					fmt.Fprintf(tw, "%s\t%s\t%s\n", o.ID, o.Country, o.Name)
				}
				if cursor = next; cursor == "" {
					break
				}
			}
			return tw.Flush()
		})
	}
	return usagef("org: unknown subcommand %q; expected add or list", args[0])
}

func cmdUser(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("user: expected add, list, disable or reset-mfa")
	}
	fs := newFlags("user "+args[0], stderr)
	shared := app.AddFlags(fs)
	findUser := func(op *accounts.Operator, email string) (*dom.User, error) {
		if email == "" {
			return nil, dom.Invalid("email", "--email is required.")
		}
		return op.FindUserByEmail(ctx, email)
	}
	switch args[0] {
	case "add":
		org := fs.String("org", "", "the organization's ID (required; see `discern org list`)")
		email := fs.String("email", "", "the email the user signs in with (required)")
		name := fs.String("name", "", "the user's display name (required)")
		role := fs.String("role", "", "administrator, supervisor, caseworker, screener or analyst (required)")
		team := fs.String("team", "", "the team's ID (optional)")
		return withAccounts(ctx, "user add", fs, shared, args[1:], getenv, stderr, func(op *accounts.Operator) error {
			// The first password is read from standard input, so that it
			// never appears in the shell history or the process list.
			fmt.Fprint(stderr, "First password (read from standard input): ")
			line, err := bufio.NewReader(stdin).ReadString('\n')
			if err != nil && line == "" {
				return dom.Invalid("password", "Give the first password on standard input.")
			}
			u, err := op.CreateUser(ctx, "cli", *org, accounts.NewUser{Email: *email, DisplayName: *name, Role: dom.Role(*role),
				TeamID: *team, Password: strings.TrimRight(line, "\r\n")})
			if err != nil {
				return err
			}
			fmt.Fprintf(stderr, "\n")
			fmt.Fprintf(stdout, "User %s created: %s (%s)\n", u.ID, u.Email, u.Role)
			if auth.MFARequired(u.Role) {
				fmt.Fprintln(stdout, "Administrators set up a second factor at their first sign-in.")
			}
			return nil
		})
	case "list":
		org := fs.String("org", "", "the organization's ID (required)")
		return withAccounts(ctx, "user list", fs, shared, args[1:], getenv, stderr, func(op *accounts.Operator) error {
			if *org == "" {
				return dom.Invalid("org", "--org is required.")
			}
			tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tROLE\tSTATUS\tSECOND FACTOR\tEMAIL")
			cursor := ""
			for {
				users, next, err := op.FindUsers(ctx, dom.UserFilter{OrgID: *org, Page: dom.Page{Limit: dom.MaxLimit, Cursor: cursor}})
				if err != nil {
					return err
				}
				for _, u := range users {
					status, mfa := "active", "no"
					if u.Disabled {
						status = "disabled"
					}
					if u.MFASecret != nil {
						mfa = "yes"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.ID, u.Role, status, mfa, u.Email)
				}
				if cursor = next; cursor == "" {
					break
				}
			}
			return tw.Flush()
		})
	case "disable", "enable":
		email := fs.String("email", "", "the user's email (required)")
		disable := args[0] == "disable"
		return withAccounts(ctx, "user "+args[0], fs, shared, args[1:], getenv, stderr, func(op *accounts.Operator) error {
			u, err := findUser(op, *email)
			if err != nil {
				return err
			}
			if err := op.SetDisabled(ctx, "cli", u.OrgID, u.ID, disable); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "User %s %sd; their sessions and API tokens end.\n", u.Email, args[0])
			return nil
		})
	case "reset-mfa":
		email := fs.String("email", "", "the user's email (required)")
		return withAccounts(ctx, "user reset-mfa", fs, shared, args[1:], getenv, stderr, func(op *accounts.Operator) error {
			u, err := findUser(op, *email)
			if err != nil {
				return err
			}
			if err := op.ResetMFA(ctx, "cli", u.OrgID, u.ID); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "Second factor of %s removed; they set up a new one at their next sign-in.\n", u.Email)
			return nil
		})
	case "unlock":
		email := fs.String("email", "", "the user's email (required)")
		return withAccounts(ctx, "user unlock", fs, shared, args[1:], getenv, stderr, func(op *accounts.Operator) error {
			if err := op.Unlock(ctx, *email); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "Sign-in lock of %s lifted.\n", *email)
			return nil
		})
	}
	return usagef("user: unknown subcommand %q; expected add, list, disable, enable, reset-mfa or unlock", args[0])
}

func cmdToken(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return usagef("token: expected create")
	}
	fs := newFlags("token create", stderr)
	shared := app.AddFlags(fs)
	email := fs.String("email", "", "the email of the user the token acts for (required)")
	name := fs.String("name", "", "what the token is for (required)")
	scopes := fs.String("scopes", "", "comma-separated scopes, such as people:read,screenings:write (required)")
	days := fs.Int("days", 90, "days until the token expires (at most 365)")
	return withAccounts(ctx, "token create", fs, shared, args[1:], getenv, stderr, func(op *accounts.Operator) error {
		u, err := op.FindUserByEmail(ctx, *email)
		if err != nil {
			return err
		}
		var sc []auth.TokenScope
		for _, s := range strings.Split(*scopes, ",") {
			if s = strings.TrimSpace(s); s != "" {
				sc = append(sc, auth.TokenScope(s))
			}
		}
		if *days < 1 || *days > 365 {
			return dom.Invalid("days", "--days must be from 1 to 365.")
		}
		token, t, err := op.CreateAPIToken(ctx, "cli", u.OrgID, u.ID, accounts.NewToken{Name: *name, Scopes: sc,
			ExpiresAt: time.Now().Add(time.Duration(*days) * 24 * time.Hour)})
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "API token %s for %s, expires %s. It is shown once: store it safely.\n", t.ID, u.Email, t.ExpiresAt.Format(time.DateOnly))
		fmt.Fprintln(stdout, token)
		return nil
	})
}
