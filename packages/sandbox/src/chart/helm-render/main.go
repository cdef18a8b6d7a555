// helm-render renders a chart's templates with Go's text/template and Sprig, configured the way
// Helm's engine (helm.sh/helm/v3/pkg/engine) configures them: missingkey=zero, Sprig's
// TxtFuncMap without env/expandenv, Helm's include/tpl/required/fail/toYaml/fromYaml/toJson, and
// "<no value>" removed from the output. It is the reference the chart test compares its TypeScript
// renderer against when a Go toolchain and Debian's golang-github-masterminds-sprig-dev exist.
//
// Usage: helm-render <chart-dir> <context.json>   (context = the top-level object: Values,
// Release, Chart, Capabilities). Prints {"files": {"<chart>/templates/x.yaml": "..."}} or
// {"error": "..."} as JSON.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"github.com/ghodss/yaml"
)

func toYAML(v interface{}) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

func fromYAML(str string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(str), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

func fail(err error) {
	out, _ := json.Marshal(map[string]string{"error": err.Error()})
	os.Stdout.Write(out)
	os.Exit(0)
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: helm-render <chart-dir> <context.json>")
		os.Exit(2)
	}
	chartDir := os.Args[1]
	raw, err := os.ReadFile(os.Args[2])
	if err != nil {
		fail(err)
	}
	var ctx map[string]interface{}
	if err := json.Unmarshal(raw, &ctx); err != nil {
		fail(err)
	}
	chartName := ctx["Chart"].(map[string]interface{})["Name"].(string)

	t := template.New("gotpl")
	t.Option("missingkey=zero")
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	included := map[string]int{}
	funcs["include"] = func(name string, data interface{}) (string, error) {
		var buf strings.Builder
		if included[name] > 1000 {
			return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
		}
		included[name]++
		err := t.ExecuteTemplate(&buf, name, data)
		included[name]--
		return buf.String(), err
	}
	funcs["tpl"] = func(tpl string, vals interface{}) (string, error) {
		c, err := t.Clone()
		if err != nil {
			return "", err
		}
		r, err := c.New("tpl").Parse(tpl)
		if err != nil {
			return "", err
		}
		var buf strings.Builder
		err = r.Execute(&buf, vals)
		return buf.String(), err
	}
	funcs["required"] = func(warn string, val interface{}) (interface{}, error) {
		if val == nil {
			return val, errors.New(warn)
		} else if s, ok := val.(string); ok && s == "" {
			return val, errors.New(warn)
		}
		return val, nil
	}
	funcs["fail"] = func(msg string) (string, error) { return "", errors.New(msg) }
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = fromYAML
	funcs["toJson"] = toJSON
	t.Funcs(funcs)

	templatesDir := filepath.Join(chartDir, "templates")
	var names []string
	err = filepath.Walk(templatesDir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(templatesDir, p)
		name := chartName + "/templates/" + filepath.ToSlash(rel)
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if _, err := t.New(name).Parse(string(src)); err != nil {
			return err
		}
		names = append(names, name)
		return nil
	})
	if err != nil {
		fail(err)
	}
	sort.Strings(names)
	files := map[string]string{}
	for _, name := range names {
		base := name[strings.LastIndex(name, "/")+1:]
		if strings.HasPrefix(base, "_") {
			continue
		}
		data := map[string]interface{}{}
		for k, v := range ctx {
			data[k] = v
		}
		data["Template"] = map[string]interface{}{"Name": name, "BasePath": chartName + "/templates"}
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, name, data); err != nil {
			fail(err)
		}
		files[name] = strings.ReplaceAll(buf.String(), "<no value>", "")
	}
	out, _ := json.Marshal(map[string]interface{}{"files": files})
	os.Stdout.Write(out)
}
