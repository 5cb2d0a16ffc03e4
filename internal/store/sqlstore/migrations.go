package sqlstore

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Migration is one numbered schema change, read from an embedded NNNN_name.sql file.
type Migration struct {
	Name string // the file name without .sql, e.g. "0001_init"; recorded in schema_migrations
	SQL  string
}

// Migrations reads every *.sql file of dir in fsys, in the order of their numeric prefix. A file
// without a numeric prefix, or two files with the same number, is an error.
func Migrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []Migration
	seen := map[int]string{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		name := strings.TrimSuffix(e.Name(), ".sql")
		n, err := migrationNumber(name)
		if err != nil {
			return nil, err
		}
		if other, dup := seen[n]; dup {
			return nil, fmt.Errorf("migrations %s and %s share number %d", other, name, n)
		}
		seen[n] = name
		body, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		ms = append(ms, Migration{Name: name, SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool {
		a, _ := migrationNumber(ms[i].Name)
		b, _ := migrationNumber(ms[j].Name)
		return a < b
	})
	return ms, nil
}

func migrationNumber(name string) (int, error) {
	num, _, _ := strings.Cut(name, "_")
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("migration %s: the file name must start with a positive number", name)
	}
	return n, nil
}

// Migrator is a store opened without its migrations: Migrate applies those it has not seen and
// returns their names, Close closes it.
type Migrator interface {
	Migrate(ctx context.Context) ([]string, error)
	Close() error
}

// OpenMigrated opens a store with open and applies its pending migrations, closing it again when
// they fail.
func OpenMigrated[S Migrator](ctx context.Context, open func(context.Context) (S, error)) (S, error) {
	var none S
	s, err := open(ctx)
	if err != nil {
		return none, err
	}
	if _, err := s.Migrate(ctx); err != nil {
		s.Close()
		return none, err
	}
	return s, nil
}
