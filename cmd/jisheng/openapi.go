package main

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strings"

	"jisheng/internal/httpx"
)

// openAPIDocument builds the OpenAPI 3.1 document from the route table and
// the Go types of the requests and answers, so the document cannot drift
// from what the server does.
func openAPIDocument(rs []httpx.Route) []byte {
	g := &schemaGen{schemas: map[string]any{}, types: map[string]reflect.Type{}}
	errRef := g.ref(reflect.TypeOf(httpx.ErrorBody{}))
	paths := map[string]map[string]any{}
	for _, rt := range rs {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		op := map[string]any{"summary": rt.Summary, "tags": []string{rt.Tag}, "operationId": operationID(method, path)}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range rt.Query {
			params = append(params, map[string]any{"name": q, "in": "query", "schema": map[string]any{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.In != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": g.ref(reflect.TypeOf(rt.In))}}}
		}
		op["responses"] = responses(g, rt, method, errRef)
		if rt.Access != httpx.Public {
			op["security"] = []any{map[string]any{"session": []string{}}}
			if rt.Perm != "" {
				op["x-permission"] = rt.Perm
			}
		}
		if paths[path] == nil {
			paths[path] = map[string]any{}
		}
		paths[path][strings.ToLower(method)] = op
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "jisheng 计生服务管理系统 API", "version": "v1",
			"description": "会话 Cookie 认证；列表分页参数 page、size（最大 100），返回 {items, total}；修改须带 version，版本过期返回 409；错误返回 {error: {code, message, field}}。"},
		"paths": paths,
		"components": map[string]any{
			"schemas":         g.schemas,
			"securitySchemes": map[string]any{"session": map[string]any{"type": "apiKey", "in": "cookie", "name": "jisheng_session"}},
		},
	}
	b, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		panic(err) // the document is built from static types; failure is a programming error
	}
	return b
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

func operationID(method, path string) string {
	id := strings.ToLower(method)
	for _, part := range strings.Split(strings.TrimPrefix(path, "/api/v1/"), "/") {
		part = strings.Trim(part, "{}")
		if part != "" {
			id += strings.ToUpper(part[:1]) + strings.ReplaceAll(part[1:], ".", "")
		}
	}
	return id
}

func responses(g *schemaGen, rt httpx.Route, method string, errRef any) map[string]any {
	errResp := map[string]any{"description": "错误", "content": map[string]any{"application/json": map[string]any{"schema": errRef}}}
	out := map[string]any{"4XX": errResp, "5XX": errResp}
	switch {
	case rt.Out == nil && rt.Handler == nil:
		out["200"] = map[string]any{"description": "OpenAPI 文档"}
	case rt.Out == nil:
		out["204"] = map[string]any{"description": "成功"}
	default:
		status := "200"
		if method == http.MethodPost && rt.Access != httpx.Public {
			status = "201"
		}
		out[status] = map[string]any{"description": "成功", "content": map[string]any{
			"application/json": map[string]any{"schema": g.ref(reflect.TypeOf(rt.Out))}}}
	}
	return out
}

// schemaGen turns Go types into JSON Schemas under components/schemas.
type schemaGen struct {
	schemas map[string]any
	types   map[string]reflect.Type
}

var rawMessage = reflect.TypeOf(json.RawMessage{})

func (g *schemaGen) ref(t reflect.Type) any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return g.schema(t)
	}
	name := schemaName(t)
	if seen, ok := g.types[name]; ok && seen != t {
		// Two packages use the same type name: qualify the second.
		pkg := t.PkgPath()[strings.LastIndex(t.PkgPath(), "/")+1:]
		name = strings.ToUpper(pkg[:1]) + pkg[1:] + name
	}
	g.types[name] = t
	if _, ok := g.schemas[name]; !ok {
		g.schemas[name] = map[string]any{} // placeholder against recursion
		g.schemas[name] = g.object(t)
	}
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	g.properties(t, props)
	return map[string]any{"type": "object", "properties": props}
}

// properties adds the JSON properties of struct t to props; an embedded
// struct without a JSON name contributes its own fields, as encoding/json does.
func (g *schemaGen) properties(t reflect.Type, props map[string]any) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct {
			g.properties(f.Type, props)
			continue
		}
		if !f.IsExported() || tag == "-" {
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		props[tag] = g.schema(f.Type)
	}
}

func (g *schemaGen) schema(t reflect.Type) any {
	if t == rawMessage {
		return map[string]any{}
	}
	switch t.Kind() {
	case reflect.Pointer:
		inner := g.schema(t.Elem())
		return map[string]any{"anyOf": []any{inner, map[string]any{"type": "null"}}}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Struct:
		return g.ref(t)
	}
	return map[string]any{}
}

// schemaName names a type: "Person", or "PersonList" for httpx.List[registry.Person].
func schemaName(t reflect.Type) string {
	name := t.Name()
	if i := strings.Index(name, "["); i >= 0 {
		arg := name[i+1 : len(name)-1]
		return arg[strings.LastIndex(arg, ".")+1:] + name[:i]
	}
	return name
}
