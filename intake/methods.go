package intake

import (
	"net/http"
	"slices"
	"strings"

	"chengnuo/routing"
)

// probeMethods are the methods tried on a path that matched no route for its own method,
// to tell a wrong method (405) from an unknown path (404).
var probeMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete}

// allowedMethods returns the methods that mux routes for r's path to another pattern than
// catchAll (the fallback that answers 404), joined for an Allow header; "" when none does.
// The mux's own 405 cannot be used: the catch-all pattern matches every method first, and
// the body must be JSON (or the console's page).
func allowedMethods(mux *http.ServeMux, r *http.Request, catchAll string) string {
	var allow []string
	probe := r.WithContext(r.Context()) // a shallow copy whose method may change
	for _, m := range probeMethods {
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != "" && pattern != catchAll {
			allow = append(allow, m)
		}
	}
	if slices.Contains(allow, r.Method) { // routed after all (cannot happen from the fallback)
		return ""
	}
	return strings.Join(allow, ", ")
}

// notFound is the API's fallback: 405 with Allow for a known path and another method,
// else 404, both with a JSON error body.
func notFound(mux *http.ServeMux) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if allow := allowedMethods(mux, r, "/"); allow != "" {
			w.Header().Set("Allow", allow)
			writeError(w, errorf(http.StatusMethodNotAllowed, codeMethod, "该接口不支持此请求方法，可用："+allow))
			return
		}
		writeError(w, errorf(http.StatusNotFound, routing.ENOTFOUND, "没有这个接口"))
	}
}
