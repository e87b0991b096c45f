package knowledge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// parseJSON reads an array of objects, or {"items": [...]}, keyed by English or Chinese headers.
func parseJSON(data []byte, name string, opts ImportOptions) (*importTable, error) {
	if len(bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\ufeff")))) == 0 {
		return nil, &ImportError{File: name, Message: "清单为空"}
	}
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, &ImportError{File: name, Message: fmt.Sprintf("JSON 格式错误：%v", err)}
	}
	list, ok := doc.([]any)
	if obj, isObj := doc.(map[string]any); isObj {
		list, ok = obj["items"].([]any)
	}
	if !ok {
		return nil, &ImportError{File: name, Message: `JSON 应为对象数组或 {"items": [...]}`}
	}
	// The keys of all objects together must name the required fields.
	seen := map[string]bool{}
	var keys []string
	for i, el := range list {
		obj, isObj := el.(map[string]any)
		if !isObj {
			return nil, &ImportError{File: name, Row: i + 1, Message: "不是 JSON 对象", unit: "条"}
		}
		for k := range obj {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	t := &importTable{file: name, unit: "条", cols: mapHeaderRow(keys)}
	if len(list) > 0 {
		if !t.cols.has("certificate") {
			return nil, &ImportError{File: name, Message: "缺少“证明名称”字段（应为 证明名称/证明事项名称/证明材料名称 或 certificate）"}
		}
		if err := t.checkColumns(0, opts); err != nil {
			return nil, err
		}
	}
	for i, el := range list {
		obj := el.(map[string]any)
		// Each object is mapped on its own keys: objects of one file may spell a field differently.
		own := make([]string, 0, len(obj))
		for k := range obj {
			own = append(own, k)
		}
		slices.Sort(own)
		rec := importRecord{row: i + 1, values: map[string]string{}, cols: mapHeaderRow(own)}
		blank := true
		for f, k := range rec.cols.index {
			v, err := jsonText(obj[own[k]], f)
			if err != nil {
				return nil, &ImportError{File: name, Row: i + 1, Column: own[k], Message: err.Error(), unit: "条"}
			}
			rec.values[f] = v
			blank = blank && v == ""
		}
		if !blank {
			t.records = append(t.records, rec)
		}
	}
	return t, nil
}

// jsonText turns a JSON value into cell text: numbers as written, arrays joined
// ("|" for aliases, "；" otherwise).
func jsonText(v any, field string) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return cleanCell(v), nil
	case json.Number:
		return v.String(), nil
	case []any:
		sep := "；"
		if field == "aliases" {
			sep = "|"
		}
		parts := make([]string, 0, len(v))
		for _, el := range v {
			s, err := jsonText(el, field)
			if err != nil {
				return "", err
			}
			if s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, sep), nil
	}
	return "", fmt.Errorf("值应为文本、数字或文本数组")
}
