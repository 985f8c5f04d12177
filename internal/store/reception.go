package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"xabot/internal/domain"
)

// Citizen reception: migrations/0021_reception.sql.

const registrationColumns = `r.id, r.ticket, r.session_day, r.session_from, r.session_to, r.place, r.citizen, r.name,
	r.phone, r.topic, r.body, r.status, r.created_at, r.cancelled_at,
	v.id, v.day, v.kind, v.received, v.name, v.outcome, v.recorded_by, v.recorded_at`

const registrationFrom = `reception_registrations r LEFT JOIN reception_visits v ON v.registration_id = r.id`

func scanRegistration(s scanner) (domain.Registration, error) {
	var r domain.Registration
	var topic string
	var vid sql.NullInt64
	var v domain.Visit
	var kind, name, outcome, by sql.NullString
	var received sql.NullBool
	err := s.Scan(&r.ID, &r.Ticket, timeScan{&r.Day}, &r.From, &r.To, &r.Place, &r.Citizen, &r.Sender.Name,
		&r.Sender.Phone, &topic, &r.Text, &r.Status, timeScan{&r.CreatedAt}, timeScan{&r.CancelledAt},
		&vid, timeScan{&v.Day}, &kind, &received, &name, &outcome, &by, timeScan{&v.RecordedAt})
	if err != nil {
		return domain.Registration{}, err
	}
	r.Topic = domain.ReceptionTopic(topic)
	if vid.Valid {
		v.ID, v.Registration, v.Ticket = vid.Int64, r.ID, r.Ticket
		v.Kind, v.Received, v.Name, v.Outcome, v.RecordedBy = kind.String, received.Bool, name.String, outcome.String, by.String
		r.Visit = &v
	}
	return r, nil
}

// CreateRegistration stores a registration and gives it its ticket: the
// next in the local month of r.CreatedAt (loc), numbered inside the write
// transaction so that concurrent registrations (several replicas) get
// distinct tickets.
func (db *DB) CreateRegistration(ctx context.Context, r domain.Registration, loc *time.Location) (domain.Registration, error) {
	if r.CreatedAt.IsZero() {
		r.CreatedAt = db.now()
	}
	r.Status = domain.RegRegistered
	period := domain.TicketPeriod(r.CreatedAt, loc)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var last int
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM reception_registrations WHERE period = ?`,
			period).Scan(&last); err != nil {
			return err
		}
		r.Ticket = domain.NextReceptionTicket(r.CreatedAt, loc, last)
		res, err := tx.ExecContext(ctx, `INSERT INTO reception_registrations (ticket, period, seq, session_day,
			session_from, session_to, place, citizen, name, phone, topic, body, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.Ticket, period, last+1, r.Day.Unix(), r.From, r.To, r.Place, r.Citizen, r.Sender.Name, r.Sender.Phone,
			string(r.Topic), r.Text, r.Status, r.CreatedAt.Unix())
		if err != nil {
			return err
		}
		r.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return domain.Registration{}, fmt.Errorf("store: create registration: %w", err)
	}
	r.CreatedAt, r.Day = utcSecond(r.CreatedAt), utcSecond(r.Day)
	return r, nil
}

// RegistrationByTicket finds a registration with its visit; unknown wraps
// domain.ErrNotFound.
func (db *DB) RegistrationByTicket(ctx context.Context, ticket string) (domain.Registration, error) {
	r, err := scanRegistration(db.r.QueryRowContext(ctx,
		`SELECT `+registrationColumns+` FROM `+registrationFrom+` WHERE r.ticket = ?`, ticket))
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Registration{}, fmt.Errorf("store: registration %s: %w", ticket, domain.ErrNotFound)
	}
	if err != nil {
		return domain.Registration{}, fmt.Errorf("store: registration %s: %w", ticket, err)
	}
	return r, nil
}

// RegistrationsOn lists the registrations for sessions on day (midnight
// UTC), cancelled ones included, in ticket order.
func (db *DB) RegistrationsOn(ctx context.Context, day time.Time) ([]domain.Registration, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+registrationColumns+` FROM `+registrationFrom+`
		WHERE r.session_day = ? ORDER BY r.session_from, r.id`, day.Unix())
	return collect(rows, err, "registrations on a day", scanRegistration)
}

// RegistrationsOf lists a citizen's registrations, newest first.
func (db *DB) RegistrationsOf(ctx context.Context, citizen string) ([]domain.Registration, error) {
	if citizen == "" {
		return nil, nil
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+registrationColumns+` FROM `+registrationFrom+`
		WHERE r.citizen = ? ORDER BY r.id DESC`, citizen)
	return collect(rows, err, "registrations of a citizen", scanRegistration)
}

// CancelRegistration marks a registration cancelled if it is still
// registered and has no visit; else it wraps domain.ErrConflict.
func (db *DB) CancelRegistration(ctx context.Context, id int64, at time.Time) error {
	res, err := db.w.ExecContext(ctx, `UPDATE reception_registrations SET status = 'cancelled', cancelled_at = ?
		WHERE id = ? AND status = 'registered'
		  AND NOT EXISTS (SELECT 1 FROM reception_visits WHERE registration_id = ?)`, at.Unix(), id, id)
	if err != nil {
		return fmt.Errorf("store: cancel registration %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: cancel registration %d: %w", id, domain.ErrConflict)
	}
	return nil
}

// AddVisit records one entry of the reception book and returns it with its
// id. A registration recorded already, or cancelled, wraps
// domain.ErrConflict.
func (db *DB) AddVisit(ctx context.Context, v domain.Visit) (domain.Visit, error) {
	var reg any
	if v.Registration != 0 {
		reg = v.Registration
	}
	res, err := db.w.ExecContext(ctx, `INSERT INTO reception_visits (registration_id, day, kind, received, name,
		outcome, recorded_by, recorded_at)
		SELECT ?, ?, ?, ?, ?, ?, ?, ?
		WHERE ? IS NULL OR EXISTS (SELECT 1 FROM reception_registrations WHERE id = ? AND status = 'registered')`,
		reg, v.Day.Unix(), v.Kind, v.Received, v.Name, v.Outcome, v.RecordedBy, v.RecordedAt.Unix(), reg, reg)
	if err != nil && strings.Contains(err.Error(), "UNIQUE") {
		return domain.Visit{}, fmt.Errorf("store: visit of %s: %w", v.Ticket, domain.ErrConflict)
	}
	if err != nil {
		return domain.Visit{}, fmt.Errorf("store: add visit: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.Visit{}, fmt.Errorf("store: visit of %s: %w", v.Ticket, domain.ErrConflict)
	}
	if v.ID, err = res.LastInsertId(); err != nil {
		return domain.Visit{}, fmt.Errorf("store: add visit: %w", err)
	}
	v.Day, v.RecordedAt = utcSecond(v.Day), utcSecond(v.RecordedAt)
	return v, nil
}

// ReceptionTally counts the reception book for the days from..to
// (midnight UTC, both included): visits received by kind, registrations
// for sessions in those days (not cancelled) and those of them received.
func (db *DB) ReceptionTally(ctx context.Context, from, to time.Time) (domain.ReceptionTally, error) {
	var t domain.ReceptionTally
	err := db.r.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM reception_visits WHERE received = 1 AND kind = 'periodic' AND day BETWEEN ?1 AND ?2),
		(SELECT count(*) FROM reception_visits WHERE received = 1 AND kind = 'adhoc' AND day BETWEEN ?1 AND ?2),
		(SELECT count(*) FROM reception_registrations WHERE status = 'registered' AND session_day BETWEEN ?1 AND ?2),
		(SELECT count(*) FROM reception_registrations r JOIN reception_visits v ON v.registration_id = r.id
		  WHERE r.status = 'registered' AND v.received = 1 AND r.session_day BETWEEN ?1 AND ?2)`,
		from.Unix(), to.Unix()).Scan(&t.Periodic, &t.AdHoc, &t.Registered, &t.Handled)
	if err != nil {
		return domain.ReceptionTally{}, fmt.Errorf("store: reception tally: %w", err)
	}
	return t, nil
}

// ForgetRegistrations erases a citizen's chat key, name and phone from their
// registrations (/xoadulieu) and says how many: the topics, texts and
// visits stay for the legal report, but no longer lead to the person.
func (db *DB) ForgetRegistrations(ctx context.Context, citizen string) (int, error) {
	if citizen == "" {
		return 0, nil
	}
	res, err := db.w.ExecContext(ctx, `UPDATE reception_registrations SET citizen = '', name = '', phone = ''
		WHERE citizen = ?`, citizen)
	if err != nil {
		return 0, fmt.Errorf("store: forget registrations: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// SetReceptionKeeper gives (on) or takes away the reception book from an
// official; unknown official wraps domain.ErrNotFound.
func (db *DB) SetReceptionKeeper(ctx context.Context, official int64, on bool, at time.Time) error {
	var exists bool
	if err := db.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM officials WHERE id = ?)`, official).Scan(&exists); err != nil {
		return fmt.Errorf("store: reception keeper %d: %w", official, err)
	}
	if !exists {
		return fmt.Errorf("store: reception keeper %d: %w", official, domain.ErrNotFound)
	}
	var err error
	if on {
		_, err = db.w.ExecContext(ctx, `INSERT INTO reception_keepers (official_id, granted_at) VALUES (?, ?)
			ON CONFLICT (official_id) DO UPDATE SET granted_at = excluded.granted_at, revoked_at = NULL
			WHERE revoked_at IS NOT NULL`, official, at.Unix())
	} else {
		_, err = db.w.ExecContext(ctx, `UPDATE reception_keepers SET revoked_at = ? WHERE official_id = ? AND revoked_at IS NULL`,
			at.Unix(), official)
	}
	if err != nil {
		return fmt.Errorf("store: reception keeper %d: %w", official, err)
	}
	return nil
}

// ReceptionKeepers lists the ids of the officials who keep the book now.
func (db *DB) ReceptionKeepers(ctx context.Context) ([]int64, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT official_id FROM reception_keepers WHERE revoked_at IS NULL ORDER BY official_id`)
	return collect(rows, err, "reception keepers", func(s scanner) (int64, error) {
		var id int64
		err := s.Scan(&id)
		return id, err
	})
}
